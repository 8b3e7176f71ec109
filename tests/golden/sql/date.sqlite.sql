SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(c.last_seen_at) = DATE('2025-12-24')
