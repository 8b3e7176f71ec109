SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    MOD(EXTRACT(DAYOFWEEK FROM c.birth_date) + 5, 7) + 1
  ) = 7
