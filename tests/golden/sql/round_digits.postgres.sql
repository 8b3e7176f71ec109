SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ROUND(CAST(CAST(c.score AS DOUBLE PRECISION) / NULLIF(2, 0) AS DECIMAL), 1) = 3.8
