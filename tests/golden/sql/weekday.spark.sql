SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  WEEKDAY(c.signup_at) + 1 >= 6
