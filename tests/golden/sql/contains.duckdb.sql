SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRPOS(c.email, 'example') > 0
