SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.income / NULLIF(12, 0) > 4000
