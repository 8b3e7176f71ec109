SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(CAST((
    CAST(STRFTIME(
      '%j',
      SUBSTRING(DATE(SUBSTRING(c.birth_date, 1, 19), '-3 days', 'weekday 4'), 1, 19)
    ) AS INTEGER) - 1
  ) AS REAL) / 7 AS INTEGER) + 1 = 53
