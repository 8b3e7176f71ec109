SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STARTS_WITH(LOWER(c.city), LOWER('new'))
