SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date > DATE('2000-01-06 23:00:00')
