SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at >= '2025-12-01 12:00:00'
  AND c.last_seen_at <= '2025-12-30 18:00:00'
