SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) >= STRFTIME(
        '%Y-%m-%d %H:%M:%S',
        SUBSTRING(
          DATE(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19), PRINTF('%+d days', -30)) || SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 11),
          1,
          19
        )
      ) || '.' || SUBSTRING(
        SUBSTRING(
          DATE(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19), PRINTF('%+d days', -30)) || SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 11),
          21
        ) || '000000',
        1,
        6
      )
      AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) <= STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19)) || '.' || SUBSTRING(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 21) || '000000', 1, 6)
    )
    OR STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.signup_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.signup_at, 21) || '000000', 1, 6) >= DATETIME(
      DATE(
        SUBSTRING(
          DATE(
            DATE(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19), PRINTF('%+d days', -7)) || SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 11)
          ),
          1,
          19
        ),
        PRINTF('%+d days', 1)
      ) || SUBSTRING(
        DATE(
          DATE(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19), PRINTF('%+d days', -7)) || SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 11)
        ),
        11
      )
    ) || '.000000'
    OR c.birth_date > DATE(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'))
  )
