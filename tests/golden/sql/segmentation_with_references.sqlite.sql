SELECT
  c.customer_id AS customer_id,
  CASE
    WHEN (
      EXISTS(
        SELECT
          1
        FROM customer_tags AS v
        WHERE
          v.customer_id = c.customer_id AND v.tag = 'vip'
      )
    )
    THEN 'vip'
    WHEN CAST((JULIANDAY(DATE('2025-12-31 12:00:00')) - JULIANDAY(DATE(c.last_seen_at))) AS INTEGER) > 30
    THEN 'lapsed'
    ELSE 'regular'
  END AS segmentation_with_references
FROM customers AS c
