SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ROUND(CAST(c.score AS REAL) / 2, 1) = 3.8
