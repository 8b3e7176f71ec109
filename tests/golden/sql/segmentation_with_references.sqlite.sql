WITH tag_values_1 AS (
  SELECT
    v.customer_id AS k,
    MAX(CASE WHEN v.tag = 'vip' THEN 1 END) AS t1
  FROM customer_tags AS v
  WHERE
    v.tag = 'vip'
  GROUP BY
    v.customer_id
)
SELECT
  c.customer_id AS customer_id,
  CASE
    WHEN (
      tag_values_1.t1 = 1
    )
    THEN 'vip'
    WHEN STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) < DATETIME(
      DATE(
        DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11)
      )
    ) || '.000000'
    THEN 'lapsed'
    ELSE 'regular'
  END AS segmentation_with_references
FROM customers AS c
LEFT JOIN tag_values_1 AS tag_values_1
  ON tag_values_1.k = c.customer_id
