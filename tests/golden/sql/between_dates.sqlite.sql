SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.birth_date >= DATE('1980-01-01') AND c.birth_date <= DATE('1995-12-31')
