SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DAYOFWEEK_ISO(c.signup_at) >= 6
