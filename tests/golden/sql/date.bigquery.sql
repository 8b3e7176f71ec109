SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.last_seen_at AS DATE) = CAST('2025-12-24' AS DATE)
