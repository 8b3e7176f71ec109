WITH events_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM events AS e
  WHERE
    e.ts >= DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11)
    AND e.ts <= '2025-12-31 12:00:00'
    AND e.event_name IN ('page_view')
    AND e.device = 'mobile'
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
INNER JOIN events_1 AS events_1
  ON events_1.k = c.customer_id
WHERE
  events_1.a1 >= 1
