SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      NOT COALESCE(c.consent, FALSE) AND c.age > 18
    ) OR c.country_code = 'US'
  )
