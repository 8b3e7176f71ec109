SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    STARTS_WITH(c.city, 'New') OR STARTS_WITH(c.city, 'Ber')
  )
