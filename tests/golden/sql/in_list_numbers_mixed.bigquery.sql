SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.income IN (0, 30000.00, 52000.5)
