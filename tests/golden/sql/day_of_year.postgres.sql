SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  EXTRACT(DOY FROM c.last_seen_at) = 366
