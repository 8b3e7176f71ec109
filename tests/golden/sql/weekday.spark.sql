SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ((DAYOFWEEK(c.signup_at) % 7) + 1) >= 6
