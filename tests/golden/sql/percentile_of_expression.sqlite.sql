WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1,
    COUNT(*) AS a2
  FROM orders AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
  GROUP BY
    e.customer_id
), percentile_2 AS (
  SELECT
    MIN(CASE WHEN pct >= 25 THEN v END) AS t1
  FROM (
    SELECT
      v,
      CAST(100.0 * (
        CAST(SUM(n) OVER (ORDER BY v ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - n AS INTEGER)
      ) AS REAL) / CAST(SUM(n) OVER () AS INTEGER) AS pct
    FROM (
      SELECT
        v,
        COUNT(*) AS n
      FROM (
        SELECT
          COALESCE(purchase_1.a1, 0) + 10 * COALESCE(purchase_1.a2, 0) AS v
        FROM customers AS c
        LEFT JOIN purchase_1 AS purchase_1
          ON purchase_1.k = c.customer_id
      ) AS x
      WHERE
        NOT v IS NULL
      GROUP BY
        v
    ) AS d
  ) AS r
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
CROSS JOIN percentile_2 AS percentile_2
WHERE
  NOT COALESCE(purchase_1.a1, 0) + 10 * COALESCE(purchase_1.a2, 0) IS NULL
  AND (
    percentile_2.t1 IS NULL
    OR COALESCE(purchase_1.a1, 0) + 10 * COALESCE(purchase_1.a2, 0) < percentile_2.t1
  )
