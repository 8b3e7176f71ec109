SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  SUBSTRING(c.email, LENGTH(c.email) - LENGTH('.com') + 1) = '.com'
