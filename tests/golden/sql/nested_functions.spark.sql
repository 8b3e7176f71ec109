SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  LENGTH(LOWER(COALESCE(c.email, ''))) = 0
