SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ROUND(c.income) = 52001
