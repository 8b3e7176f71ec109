SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(STRFTIME('%j', SUBSTRING(c.last_seen_at, 1, 19)) AS INTEGER) = 366
