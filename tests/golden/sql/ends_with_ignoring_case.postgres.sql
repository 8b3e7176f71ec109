SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  RIGHT(LOWER(c.email), LENGTH(LOWER('.CO.UK'))) = LOWER('.CO.UK')
