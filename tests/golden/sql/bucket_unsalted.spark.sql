SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(CONV(SUBSTRING(MD5(CONCAT('', ':', CAST(c.customer_id AS STRING))), 1, 8), 16, 10) AS BIGINT) % 4 = 0
