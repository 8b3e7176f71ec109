WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1,
    COUNT_IF(
      e.ordered_at >= CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '7 DAY'
      AND e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
    ) AS a2
  FROM orders AS e
  WHERE
    e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
  GROUP BY
    e.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
INNER JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
WHERE
  (
    purchase_1.a1 >= 150
  ) AND NOT COALESCE(purchase_1.a2 >= 1, FALSE)
