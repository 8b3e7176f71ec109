SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DAYOFWEEKISO(c.signup_at) >= 6
