SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      EXTRACT(DOW FROM c.signup_at) + 6
    ) % 7
  ) + 1 >= 6
