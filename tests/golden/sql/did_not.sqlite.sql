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
      AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(e.ordered_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(e.ordered_at, 21) || '000000', 1, 6) <= '2025-12-31 12:00:00.000000'
  )
