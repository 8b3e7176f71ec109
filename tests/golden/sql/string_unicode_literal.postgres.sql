SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    c.city = 'München' OR c.name = '名前'
  )
