SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(c.age < 30, FALSE)
