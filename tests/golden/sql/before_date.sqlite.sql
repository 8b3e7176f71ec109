SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at < DATETIME(DATE('2023-03-01'))
