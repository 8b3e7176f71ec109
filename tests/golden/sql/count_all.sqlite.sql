WITH events_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM events AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ts, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ts, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
    AND e.event_name IN ('page_view')
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
INNER JOIN events_1 AS events_1
  ON events_1.k = c.customer_id
WHERE
  events_1.a1 >= 2
