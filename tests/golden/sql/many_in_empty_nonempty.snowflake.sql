SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id AND v.tag IN ('', 'student')
  )
