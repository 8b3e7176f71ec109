SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(REGEXP_LIKE(c.email, '@'), FALSE)
