WITH tag_values_1 AS (
  SELECT
    v.customer_id AS k,
    MAX(CASE WHEN NOT v.tag IS NULL THEN 1 END) AS t1
  FROM customer_tags AS v
  WHERE
    NOT v.tag IS NULL
  GROUP BY
    v.customer_id
)
SELECT
  c.customer_id AS customer_id
FROM customers AS c
LEFT JOIN tag_values_1 AS tag_values_1
  ON tag_values_1.k = c.customer_id
WHERE
  NOT COALESCE(tag_values_1.t1 = 1, FALSE)
