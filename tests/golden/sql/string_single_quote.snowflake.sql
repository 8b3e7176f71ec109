SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CHARINDEX('\'', c.name) > 0
