SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  1 + c.age * 2 > 61
