SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(c.last_seen_at) >= DATE(DATETIME('2025-12-31 12:00:00') - INTERVAL '7' DAY)
  AND DATE(c.last_seen_at) <= DATE(DATETIME('2025-12-31 12:00:00'))
