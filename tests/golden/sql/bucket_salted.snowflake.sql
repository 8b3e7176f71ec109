SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 1, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 268435456 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 2, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 16777216 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 3, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 1048576 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 4, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 65536 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 5, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 4096 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 6, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 256 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 7, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 16 + CAST(CHARINDEX(
      SUBSTRING(SUBSTRING(MD5(CONCAT('x', ':', CAST(c.customer_id AS VARCHAR))), 1, 8), 8, 1),
      '0123456789abcdef'
    ) - 1 AS BIGINT) * 1
  ) % 10 < 5
