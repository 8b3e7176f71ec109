SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(REGEXP_INSTR(c.email, '@', 1, 1, 0, 'c') > 0, FALSE)
