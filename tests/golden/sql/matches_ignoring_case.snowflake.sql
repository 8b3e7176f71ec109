SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_INSTR(c.email, '^B@', 1, 1, 0, 'ci') > 0
