SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    STARTSWITH(c.city, 'New') OR STARTSWITH(c.city, 'Ber')
  )
