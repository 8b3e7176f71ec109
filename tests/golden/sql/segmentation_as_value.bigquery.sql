SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE WHEN c.age < 30 THEN 'young' WHEN c.age >= 60 THEN 'old' ELSE 'middle' END = 'young'
