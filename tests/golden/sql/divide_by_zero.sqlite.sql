SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.income AS REAL) / c.age > 1000
