SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      CAST(STRFTIME('%w', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) + 6
    ) % 7
  ) + 1 = 7
