SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at >= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING('2025-12-31 12:00:00', 1, 19),
    PRINTF('%+d hours', -18)
  ) || SUBSTRING('2025-12-31 12:00:00', 20)
  AND c.last_seen_at <= '2025-12-31 12:00:00'
