SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      c.age > 18 AND c.consent
    )
    OR (
      c.age < 18 AND NOT COALESCE(c.consent, FALSE)
    )
    OR (
      c.city = '' AND c.income < 0
    )
  )
