SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(NOT c.email IS NULL AND c.email <> '', FALSE)
