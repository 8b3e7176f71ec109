SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ENDS_WITH(c.email, '.com')
