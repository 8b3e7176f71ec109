SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      EXTRACT(DOW FROM c.birth_date) + 6
    ) % 7
  ) + 1 = 7
