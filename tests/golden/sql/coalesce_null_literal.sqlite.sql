SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  COALESCE(NULL, c.age) > 60
