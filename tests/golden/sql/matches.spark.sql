SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.email RLIKE '^[a-z]+@example\\.(com|org)\\z'
