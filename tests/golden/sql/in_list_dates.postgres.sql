SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date IN (CAST('1991-01-05' AS DATE), CAST('2008-02-29' AS DATE))
