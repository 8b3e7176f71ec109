SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.country_code IN ('', 'AT')
