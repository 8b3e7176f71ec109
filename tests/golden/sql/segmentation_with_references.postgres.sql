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
    WHEN c.last_seen_at < CAST(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) - INTERVAL '30 DAY' AS DATE) AS TIMESTAMP)
    THEN 'lapsed'
    ELSE 'regular'
  END AS segmentation_with_references
FROM customers AS c
LEFT JOIN tag_values_1 AS tag_values_1
  ON tag_values_1.k = c.customer_id
