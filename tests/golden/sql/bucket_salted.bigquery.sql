SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  MOD(
    CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 1, 1)
    ) - 1 AS INT64) * 268435456 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 2, 1)
    ) - 1 AS INT64) * 16777216 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 3, 1)
    ) - 1 AS INT64) * 1048576 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 4, 1)
    ) - 1 AS INT64) * 65536 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 5, 1)
    ) - 1 AS INT64) * 4096 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 6, 1)
    ) - 1 AS INT64) * 256 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 7, 1)
    ) - 1 AS INT64) * 16 + CAST(INSTR(
      '0123456789abcdef',
      SUBSTRING(SUBSTRING(TO_HEX(MD5(CONCAT('x', ':', CAST(c.customer_id AS STRING)))), 1, 8), 8, 1)
    ) - 1 AS INT64) * 1,
    10
  ) < 5
