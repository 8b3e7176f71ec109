SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= CAST(CAST('2025-12-24' AS DATE) + INTERVAL '1' DAY AS DATETIME)
