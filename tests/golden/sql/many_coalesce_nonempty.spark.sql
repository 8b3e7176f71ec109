SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id
      AND (
        NOT v.tag IS NULL AND COALESCE(v.tag, 'none') = 'vip'
      )
  )
