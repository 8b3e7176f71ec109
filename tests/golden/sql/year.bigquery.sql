SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(YEAR FROM c.signup_at) = 2025
