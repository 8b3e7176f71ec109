SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id AND v.tag = 'vip'
  )
UNION ALL
SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.country_code = 'FR'
  AND NOT EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id AND v.tag = 'vip'
  )
UNION ALL
SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id AND v.tag = 'student'
  )
  AND NOT EXISTS(
    SELECT
      1
    FROM customer_tags AS v
    WHERE
      v.customer_id = c.customer_id AND v.tag = 'vip'
  )
  AND NOT COALESCE(c.country_code = 'FR', FALSE)
