SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  MONTH(c.birth_date) = 12
