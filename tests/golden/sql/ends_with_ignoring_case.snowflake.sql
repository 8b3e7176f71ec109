SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ENDSWITH(LOWER(c.email), LOWER('.CO.UK'))
