WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1,
    COUNT(*) FILTER(WHERE
      e.ordered_at >= MIN(
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -12)),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING('2025-12-31 12:00:00', 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -12)),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING('2025-12-31 12:00:00', 11)
      AND e.ordered_at <= '2025-12-31 12:00:00') AS a2
  FROM orders AS e
  WHERE
    e.ordered_at <= '2025-12-31 12:00:00'
  GROUP BY
    e.customer_id
), population AS (
  SELECT
    c.customer_id AS k,
    CASE
      WHEN COALESCE(purchase_1.a1, 0) IS NULL
      THEN NULL
      ELSE CAST(100.0 * (
        RANK() OVER (ORDER BY COALESCE(purchase_1.a1, 0) ASC NULLS LAST) - 1
      ) AS REAL) / COUNT(COALESCE(purchase_1.a1, 0)) OVER ()
    END AS p1
  FROM customers AS c
  LEFT JOIN purchase_1 AS purchase_1
    ON purchase_1.k = c.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
LEFT JOIN population AS population
  ON population.k = c.customer_id
WHERE
  population.p1 >= 75 AND purchase_1.a2 >= 1
