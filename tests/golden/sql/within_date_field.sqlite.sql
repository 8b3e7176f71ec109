SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT c.birth_date IS NULL
  AND (
    (
      CAST(STRFTIME('%m', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) = 1
      AND CAST(STRFTIME('%d', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) <= 7
    )
    OR (
      CAST(STRFTIME('%m', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) = 12
      AND CAST(STRFTIME('%d', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) = 31
    )
  )
