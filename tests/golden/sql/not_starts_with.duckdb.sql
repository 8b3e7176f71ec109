SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(STARTS_WITH(c.city, 'New'), FALSE)
