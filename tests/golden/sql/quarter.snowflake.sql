SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE_PART(QUARTER, c.birth_date) = 1
