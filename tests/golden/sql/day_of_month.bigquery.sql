SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(MONTH FROM c.signup_at) = 12 AND EXTRACT(DAY FROM c.signup_at) <= 24
