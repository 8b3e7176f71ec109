SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    (
      EXISTS(
        SELECT
          1
        FROM customer_tags AS v
        WHERE
          v.customer_id = c.customer_id AND v.tag = 'vip'
      )
    )
    AND c.country_code IN ('AT', 'BE', 'DE', 'FR', 'IT', 'NL', 'ES', 'PL')
  )
UNION ALL
SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.country_code = 'US'
  AND NOT COALESCE(
    (
      (
        EXISTS(
          SELECT
            1
          FROM customer_tags AS v
          WHERE
            v.customer_id = c.customer_id AND v.tag = 'vip'
        )
      )
      AND c.country_code IN ('AT', 'BE', 'DE', 'FR', 'IT', 'NL', 'ES', 'PL')
    ),
    FALSE
  )
