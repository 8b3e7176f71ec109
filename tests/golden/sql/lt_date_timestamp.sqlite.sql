SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  '2000-01-07 12:00:00' >= DATETIME(
    DATE(DATE(c.birth_date), PRINTF('%+d days', 1)) || SUBSTRING(DATE(c.birth_date), 11)
  )
