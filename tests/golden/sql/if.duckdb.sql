SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE WHEN c.consent THEN c.income ELSE 0 END > 1000
