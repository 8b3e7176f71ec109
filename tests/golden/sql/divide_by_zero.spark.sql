SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.income / NULLIF(c.age, 0) > 1000
