SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  '2000-01-07 12:00:00.000000' >= DATETIME(
    DATE(SUBSTRING(DATE(c.birth_date), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE(c.birth_date), 11)
  ) || '.000000'
