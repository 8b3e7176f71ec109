WITH purchase_1 AS (
  SELECT
    e.customer_id AS k,
    SUM(e.amount) AS a1,
    COUNT(*) FILTER(WHERE
      STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) >= STRFTIME(
        '%Y-%m-%d %H:%M:%S',
        SUBSTRING(
          MIN(
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
          ) || SUBSTRING('2025-12-31 12:00:00', 11),
          1,
          19
        )
      ) || '.' || SUBSTRING(
        SUBSTRING(
          MIN(
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
          ) || SUBSTRING('2025-12-31 12:00:00', 11),
          21
        ) || '000000',
        1,
        6
      )
      AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000') AS a2
  FROM orders AS e
  WHERE
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
  GROUP BY
    e.customer_id
), percentile_2 AS (
  SELECT
    MIN(CASE WHEN pct >= 75 THEN v END) AS t1
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
