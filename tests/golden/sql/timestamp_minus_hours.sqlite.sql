SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19), PRINTF('%+d hours', -6)) || SUBSTRING(c.last_seen_at, 20) > '2025-12-30 11:00:00'
