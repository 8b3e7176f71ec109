SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(WEEK FROM c.birth_date) = 53
