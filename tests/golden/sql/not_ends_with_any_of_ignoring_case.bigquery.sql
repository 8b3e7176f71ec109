SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(
    (
      ENDS_WITH(LOWER(c.email), LOWER('.COM'))
      OR ENDS_WITH(LOWER(c.email), LOWER('.ORG'))
    ),
    FALSE
  )
