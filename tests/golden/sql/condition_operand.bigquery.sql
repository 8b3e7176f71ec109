SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  COALESCE(c.age >= 18, FALSE) >= (
    c.consent IS NULL
  )
  AND NOT (
    NOT COALESCE(c.consent, FALSE)
  ) IS NULL
