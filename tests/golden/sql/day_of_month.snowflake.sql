SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  MONTH(c.signup_at) = 12 AND DAY(c.signup_at) <= 24
