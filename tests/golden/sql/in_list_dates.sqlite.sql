SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date IN (DATE('1991-01-05'), DATE('2008-02-29'))
