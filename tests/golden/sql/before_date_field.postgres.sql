SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date < CAST('1990-01-01' AS DATE)
