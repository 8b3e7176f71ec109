SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT c.birth_date IS NULL
  AND (
    (
      MONTH(c.birth_date) = 1 AND DAY(c.birth_date) <= 7
    )
    OR (
      MONTH(c.birth_date) = 12 AND DAY(c.birth_date) = 31
    )
  )
