SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE WHEN INSTR(c.email, '@') > 0 THEN 1 ELSE 2 END = 2
