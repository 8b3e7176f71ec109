SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(
    (
      ENDSWITH(LOWER(c.email), LOWER('.COM'))
      OR ENDSWITH(LOWER(c.email), LOWER('.ORG'))
    ),
    FALSE
  )
