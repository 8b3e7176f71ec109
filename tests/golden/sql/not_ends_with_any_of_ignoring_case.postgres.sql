SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(
    (
      RIGHT(LOWER(c.email), LENGTH(LOWER('.COM'))) = LOWER('.COM')
      OR RIGHT(LOWER(c.email), LENGTH(LOWER('.ORG'))) = LOWER('.ORG')
    ),
    FALSE
  )
