SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date > CAST(CAST('2000-01-06 23:00:00' AS TIMESTAMP) AS DATE)
