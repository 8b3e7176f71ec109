SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  ABS(
    DATEDIFF(
      DAY,
      CAST(c.last_seen_at AS DATE),
      CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    )
  ) >= 0
  AND ABS(
    DATEDIFF(
      DAY,
      CAST(c.last_seen_at AS DATE),
      CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    )
  ) <= 7
