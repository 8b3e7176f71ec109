SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(SUBSTRING(c.city, 1, LENGTH('New')) = 'New', FALSE)
