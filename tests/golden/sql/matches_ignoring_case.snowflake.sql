SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_LIKE(c.email, '(?i)^B@')
