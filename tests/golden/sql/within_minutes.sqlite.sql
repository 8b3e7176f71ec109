SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING('2025-12-31 12:00:00', 1, 19),
    PRINTF('%+d minutes', -15)
  ) || SUBSTRING('2025-12-31 12:00:00', 20)
  AND c.signup_at <= '2025-12-31 12:00:00'
