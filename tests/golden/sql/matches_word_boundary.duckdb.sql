SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_MATCHES(c.name, '\bBob\b')
