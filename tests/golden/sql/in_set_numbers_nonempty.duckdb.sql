SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.age + 1 >= 1 AND c.age + 1 <= 3
