WITH events_1 AS (
  SELECT
    e.customer_id AS k,
    MIN_BY(e.channel, e.ts) AS a1
  FROM events AS e
  WHERE
    e.ts <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
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
  events_1.a1 = 'seo'
