SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT EXISTS(
    SELECT
      1
    FROM orders AS e
    WHERE
      e.customer_id = c.customer_id
      AND e.ordered_at <= CAST('2025-12-31 12:00:00' AS TIMESTAMP)
  )
