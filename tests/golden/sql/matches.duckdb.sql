SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_MATCHES(c.email, '^[a-z]+@example\.(com|org)$')
