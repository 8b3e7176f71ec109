SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    SUBSTRING(c.city, 1, LENGTH('New')) = 'New'
    OR SUBSTRING(c.city, 1, LENGTH('Ber')) = 'Ber'
  )
