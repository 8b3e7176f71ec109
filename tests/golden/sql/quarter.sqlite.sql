SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(CAST((
    CAST(STRFTIME('%m', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) + 2
  ) AS REAL) / 3 AS INTEGER) = 1
