SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date >= CAST('1980-01-01' AS DATE)
  AND c.birth_date <= CAST('1995-12-31' AS DATE)
