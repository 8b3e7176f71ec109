WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1
  FROM orders AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
  GROUP BY
    e.customer_id
), population AS (
  SELECT
    c.customer_id AS k,
    CASE
      WHEN COALESCE(purchase_1.a1, 0) IS NULL
      THEN NULL
      ELSE CAST(100.0 * SUM(COALESCE(purchase_1.a1, 0)) OVER (
        ORDER BY COALESCE(purchase_1.a1, 0) DESC, c.customer_id ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS REAL) / SUM(COALESCE(purchase_1.a1, 0)) OVER ()
    END AS p1
  FROM customers AS c
  LEFT JOIN purchase_1 AS purchase_1
    ON purchase_1.k = c.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN population AS population
  ON population.k = c.customer_id
WHERE
  population.p1 <= 80
