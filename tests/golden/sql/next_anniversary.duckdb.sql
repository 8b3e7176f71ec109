SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  MONTH(c.birth_date) = 2 AND DAY(c.birth_date) >= 28
