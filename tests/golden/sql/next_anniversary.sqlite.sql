SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(STRFTIME('%m', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) = 2
  AND CAST(STRFTIME('%d', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) >= 28
