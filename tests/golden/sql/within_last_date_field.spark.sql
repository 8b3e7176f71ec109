SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.last_seen_at AS DATE) >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '7' DAY AS DATE)
  AND CAST(c.last_seen_at AS DATE) <= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
