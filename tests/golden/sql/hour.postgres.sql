SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(HOUR FROM c.last_seen_at) >= 18
