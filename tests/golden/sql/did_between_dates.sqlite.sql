WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    COUNT(*) AS a1
  FROM orders AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
    AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) >= DATETIME(DATE('2025-01-01')) || '.000000'
    AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) < DATETIME(
      DATE(SUBSTRING(DATE('2025-06-30'), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE('2025-06-30'), 11)
    ) || '.000000'
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
