SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= CAST('2025-11-30 23:59:59.999999' AS DATETIME)
