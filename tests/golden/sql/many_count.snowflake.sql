SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    SELECT
      COUNT(DISTINCT v.tag)
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id
  ) >= 2
