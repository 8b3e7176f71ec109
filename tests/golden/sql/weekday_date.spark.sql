SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ((DAYOFWEEK(c.birth_date) % 7) + 1) = 7
