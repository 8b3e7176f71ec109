SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  COALESCE(c.score, c.age, 0) = 0
