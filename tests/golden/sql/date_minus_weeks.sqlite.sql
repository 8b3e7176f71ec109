SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(
    DATE(SUBSTRING(c.birth_date, 1, 19), PRINTF('%+d days', -14)) || SUBSTRING(c.birth_date, 11)
  ) < DATE('1960-01-01')
