SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(QUARTER FROM c.birth_date) = 1
