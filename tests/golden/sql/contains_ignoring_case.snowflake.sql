SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CHARINDEX(LOWER('EXAMPLE'), LOWER(c.email)) > 0
