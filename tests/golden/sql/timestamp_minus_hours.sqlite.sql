SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19), PRINTF('%+d hours', -6)) || SUBSTRING(c.last_seen_at, 20),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19), PRINTF('%+d hours', -6)) || SUBSTRING(c.last_seen_at, 20),
      21
    ) || '000000',
    1,
    6
  ) > '2025-12-30 11:00:00.000000'
