SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT c.birth_date IS NULL
  AND (
    (
      EXTRACT(MONTH FROM c.birth_date) = 1 AND EXTRACT(DAY FROM c.birth_date) <= 7
    )
    OR (
      EXTRACT(MONTH FROM c.birth_date) = 12 AND EXTRACT(DAY FROM c.birth_date) = 31
    )
  )
