WITH events_1 AS (
  SELECT
    e.customer_id AS k,
    COUNTIF(e.event_name = 'add_to_cart') AS a1,
    COUNTIF(e.event_name = 'checkout') AS a2
  FROM events AS e
  WHERE
    e.ts >= CAST('2025-12-31 12:00:00' AS DATETIME) - INTERVAL '7' DAY
    AND e.ts <= CAST('2025-12-31 12:00:00' AS DATETIME)
    AND e.event_name IN ('add_to_cart', 'checkout')
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
INNER JOIN events_1 AS events_1
  ON events_1.k = c.customer_id
WHERE
  events_1.a1 >= 1 AND NOT COALESCE(events_1.a2 >= 1, FALSE)
