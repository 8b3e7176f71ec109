WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM orders AS e
  WHERE
    e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
    AND e.ordered_at >= CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '2 MONTH'
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
INNER JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
WHERE
  purchase_1.a1 >= 1
  AND NOT EXISTS(
    SELECT
      1
    FROM orders AS e
    WHERE
      e.customer_id = c.customer_id
      AND e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
      AND e.ordered_at < CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '2 MONTH'
  )
