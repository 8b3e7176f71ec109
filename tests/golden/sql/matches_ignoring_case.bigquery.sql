SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_CONTAINS(c.email, '(?i)^B@')
