SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at >= CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '18' HOUR
  AND c.last_seen_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
