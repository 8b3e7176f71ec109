SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(c.birth_date - INTERVAL '14' DAY) < DATE('1960-01-01')
