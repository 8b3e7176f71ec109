SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ROUND(c.score / 2, 1) = 3.8
