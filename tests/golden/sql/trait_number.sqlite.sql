SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST((JULIANDAY(DATE('2025-12-31 12:00:00')) - JULIANDAY(DATE(c.last_seen_at))) AS INTEGER) > 30
