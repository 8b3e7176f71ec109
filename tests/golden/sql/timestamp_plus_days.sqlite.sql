SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(SUBSTRING(c.signup_at, 1, 19), PRINTF('%+d days', 30)) || SUBSTRING(c.signup_at, 11) > '2025-12-31 12:00:00'
