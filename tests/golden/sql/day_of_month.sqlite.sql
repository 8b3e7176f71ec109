SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(STRFTIME('%m', SUBSTRING(c.signup_at, 1, 19)) AS INTEGER) = 12
  AND CAST(STRFTIME('%d', SUBSTRING(c.signup_at, 1, 19)) AS INTEGER) <= 24
