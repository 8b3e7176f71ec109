SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.name IN ('O\'Brien "Bob"', 'back\\slash', 'Zoë -- ; /* x */')
