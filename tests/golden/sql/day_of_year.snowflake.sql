SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE_PART(DAYOFYEAR, c.last_seen_at) = 366
