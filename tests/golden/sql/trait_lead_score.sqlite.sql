WITH events_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM events AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ts, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ts, 21) || '000000', 1, 6) >= STRFTIME(
      '%Y-%m-%d %H:%M:%S',
      SUBSTRING(
        DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11),
        1,
        19
      )
    ) || '.' || SUBSTRING(
      SUBSTRING(
        DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11),
        21
      ) || '000000',
      1,
      6
    )
    AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ts, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ts, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
    AND e.event_name IN ('email_open')
  GROUP BY
    e.customer_id
), events_2 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM events AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ts, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ts, 21) || '000000', 1, 6) >= STRFTIME(
      '%Y-%m-%d %H:%M:%S',
      SUBSTRING(
        DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -7)) || SUBSTRING('2025-12-31 12:00:00', 11),
        1,
        19
      )
    ) || '.' || SUBSTRING(
      SUBSTRING(
        DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -7)) || SUBSTRING('2025-12-31 12:00:00', 11),
        21
      ) || '000000',
      1,
      6
    )
    AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ts, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ts, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
    AND e.event_name IN ('pricing_view')
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN events_1 AS events_1
  ON events_1.k = c.customer_id
LEFT JOIN events_2 AS events_2
  ON events_2.k = c.customer_id
WHERE
  c.customer_id IN (
    SELECT
      k
    FROM events_1
    UNION ALL
    SELECT
      k
    FROM events_2
  )
  AND 10 * COALESCE(events_1.a1, 0) + CASE WHEN events_2.a1 >= 1 THEN 30 ELSE 0 END >= 30
