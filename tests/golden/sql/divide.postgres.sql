SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.income AS DOUBLE PRECISION) / NULLIF(12, 0) > 4000
