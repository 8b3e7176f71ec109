SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at - INTERVAL '6 HOUR' > CAST('2025-12-30 11:00:00' AS TIMESTAMP)
