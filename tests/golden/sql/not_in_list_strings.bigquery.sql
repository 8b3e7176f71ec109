SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(c.country_code IN ('DE', 'AT'), FALSE)
