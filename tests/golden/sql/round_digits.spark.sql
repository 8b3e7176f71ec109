SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ROUND(c.score / NULLIF(2, 0), 1) = 3.8
