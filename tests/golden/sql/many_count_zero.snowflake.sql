WITH tag_values_1 AS (
  SELECT
    v.customer_id AS k,
    COUNT(DISTINCT v.tag) AS t1
  FROM customer_tags AS v
  GROUP BY
    v.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN tag_values_1 AS tag_values_1
  ON tag_values_1.k = c.customer_id
WHERE
  COALESCE(tag_values_1.t1, 0) = 0
