SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  LOWER(c.email) LIKE REPLACE(LOWER('%@EXAMPLE.%'), '\', '\\')
