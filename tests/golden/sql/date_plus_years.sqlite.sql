SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(c.birth_date + INTERVAL '18' YEAR) <= DATE(DATETIME('2025-12-31 12:00:00'))
