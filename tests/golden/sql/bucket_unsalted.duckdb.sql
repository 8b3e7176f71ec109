SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST('0x' || SUBSTRING(MD5('' || ':' || CAST(c.customer_id AS TEXT)), 1, 8) AS BIGINT) % 4 = 0
