SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  POSITION(LOWER('EXAMPLE') IN LOWER(c.email)) > 0
