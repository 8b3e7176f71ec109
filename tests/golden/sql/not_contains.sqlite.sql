SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(INSTR(c.email, 'example') > 0, FALSE)
