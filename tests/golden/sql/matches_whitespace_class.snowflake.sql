SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_INSTR(c.city, '\\s', 1, 1, 0, 'c') > 0
