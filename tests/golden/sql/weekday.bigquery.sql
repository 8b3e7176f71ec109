SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    MOD(EXTRACT(DAYOFWEEK FROM c.signup_at) + 5, 7) + 1
  ) >= 6
