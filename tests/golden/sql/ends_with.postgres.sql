SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  RIGHT(c.email, LENGTH('.com')) = '.com'
