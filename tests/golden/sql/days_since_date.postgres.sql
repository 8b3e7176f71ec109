SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date <= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '9125 DAY' AS DATE)
