SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(CASE WHEN c.age < 30 THEN 'young' ELSE NULL END = 'young', FALSE)
