SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      DATE(SUBSTRING(c.signup_at, 1, 19), PRINTF('%+d days', 30)) || SUBSTRING(c.signup_at, 11),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      DATE(SUBSTRING(c.signup_at, 1, 19), PRINTF('%+d days', 30)) || SUBSTRING(c.signup_at, 11),
      21
    ) || '000000',
    1,
    6
  ) > '2025-12-31 12:00:00.000000'
