SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      c.last_seen_at >= DATE(SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 1, 19), PRINTF('%+d days', -30)) || SUBSTRING(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'), 11)
      AND c.last_seen_at <= STRFTIME('%Y-%m-%d %H:%M:%f', 'now')
    )
    OR c.signup_at >= DATETIME(
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
    )
    OR c.birth_date > DATE(STRFTIME('%Y-%m-%d %H:%M:%f', 'now'))
  )
