SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.signup_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.signup_at, 21) || '000000', 1, 6) < STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6)
