SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  REGEXP_CONTAINS(c.name, '^[[:alpha:]]+$')
