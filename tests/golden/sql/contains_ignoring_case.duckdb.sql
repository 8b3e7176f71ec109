SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRPOS(LOWER(c.email), LOWER('EXAMPLE')) > 0
