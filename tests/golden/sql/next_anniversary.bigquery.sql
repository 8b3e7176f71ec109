SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(MONTH FROM c.birth_date) = 2 AND EXTRACT(DAY FROM c.birth_date) >= 28
