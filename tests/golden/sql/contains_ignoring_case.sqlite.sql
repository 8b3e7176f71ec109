SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  INSTR(LOWER(c.email), LOWER('EXAMPLE')) > 0
