SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.signup_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.signup_at, 21) || '000000', 1, 6) >= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      STRFTIME(
        '%Y-%m-%d %H:%M:%S',
        SUBSTRING('2025-12-31 12:00:00', 1, 19),
        PRINTF('%+d minutes', -15)
      ) || SUBSTRING('2025-12-31 12:00:00', 20),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      STRFTIME(
        '%Y-%m-%d %H:%M:%S',
        SUBSTRING('2025-12-31 12:00:00', 1, 19),
        PRINTF('%+d minutes', -15)
      ) || SUBSTRING('2025-12-31 12:00:00', 20),
      21
    ) || '000000',
    1,
    6
  )
  AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.signup_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.signup_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
