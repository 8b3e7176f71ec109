SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE_PART(WEEKISO, c.birth_date) = 53
