SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at + INTERVAL '1' YEAR >= DATETIME('2025-12-31 12:00:00')
  AND c.last_seen_at + INTERVAL '1' YEAR <= DATETIME('2025-12-31 12:00:00') + INTERVAL '7' DAY
