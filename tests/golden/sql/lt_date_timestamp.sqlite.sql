SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATETIME('2000-01-07 12:00:00') >= DATETIME(DATE(c.birth_date) + INTERVAL '1' DAY)
