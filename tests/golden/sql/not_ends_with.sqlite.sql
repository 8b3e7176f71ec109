SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(SUBSTRING(c.email, LENGTH(c.email) - LENGTH('.com') + 1) = '.com', FALSE)
