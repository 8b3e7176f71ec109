SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at >= DATETIME(
    DATE(
      SUBSTRING(
        DATE(
          DATE(SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19), PRINTF('%+d days', -2)) || SUBSTRING(DATE('2025-12-31 12:00:00'), 11)
        ),
        1,
        19
      ),
      PRINTF('%+d days', 1)
    ) || SUBSTRING(
      DATE(
        DATE(SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19), PRINTF('%+d days', -2)) || SUBSTRING(DATE('2025-12-31 12:00:00'), 11)
      ),
      11
    )
  )
