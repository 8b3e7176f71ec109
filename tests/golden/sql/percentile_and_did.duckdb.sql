WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1,
    COUNT(*) FILTER(WHERE
      e.ordered_at >= CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '12' MONTH
      AND e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)) AS a2
  FROM orders AS e
  WHERE
    e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
  GROUP BY
    e.customer_id
), percentile_2 AS (
  SELECT
    MIN(CASE WHEN pct >= 75 THEN v END) AS t1
  FROM (
    SELECT
      v,
      100.0 * (
        CAST(SUM(n) OVER (ORDER BY v ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - n AS BIGINT)
      ) / CAST(SUM(n) OVER () AS BIGINT) AS pct
    FROM (
      SELECT
        v,
        COUNT(*) AS n
      FROM (
        SELECT
          COALESCE(purchase_1.a1, 0) AS v
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
INNER JOIN purchase_1 AS purchase_1
  ON purchase_1.k = c.customer_id
CROSS JOIN percentile_2 AS percentile_2
WHERE
  COALESCE(purchase_1.a1, 0) >= percentile_2.t1 AND purchase_1.a2 >= 1
