SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at >= DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -7)) || SUBSTRING('2025-12-31 12:00:00', 11)
  AND c.last_seen_at <= '2025-12-31 12:00:00'
