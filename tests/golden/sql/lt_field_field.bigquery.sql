SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at < c.last_seen_at
