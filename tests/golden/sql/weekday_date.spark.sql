SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  WEEKDAY(c.birth_date) + 1 = 7
