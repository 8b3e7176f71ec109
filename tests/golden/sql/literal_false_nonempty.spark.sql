SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    FALSE OR c.consent
  )
