WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM orders AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
  GROUP BY
    e.customer_id
), events_2 AS (
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
  c.customer_id AS customer_id,
  CASE
    WHEN purchase_1.a1 >= 1
    THEN 'buyer'
    WHEN events_2.a1 >= 1
    THEN 'browser'
    ELSE NULL
  END AS segmentation_events_without_else
FROM customers AS c
LEFT JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
LEFT JOIN events_2 AS events_2
  ON events_2.k = c.customer_id
