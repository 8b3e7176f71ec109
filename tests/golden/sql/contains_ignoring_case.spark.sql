SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  LOCATE(LOWER('EXAMPLE'), LOWER(c.email)) > 0
