SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(ENDS_WITH(c.email, '.com'), FALSE)
