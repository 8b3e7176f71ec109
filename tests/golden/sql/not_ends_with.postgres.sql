SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(RIGHT(c.email, LENGTH('.com')) = '.com', FALSE)
