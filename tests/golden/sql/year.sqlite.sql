SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(STRFTIME('%Y', SUBSTRING(c.signup_at, 1, 19)) AS INTEGER) = 2025
