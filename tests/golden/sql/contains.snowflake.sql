SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CHARINDEX('example', c.email) > 0
