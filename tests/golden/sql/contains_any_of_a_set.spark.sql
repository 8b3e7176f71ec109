SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    LOCATE('AT', c.country_code) > 0
    OR LOCATE('BE', c.country_code) > 0
    OR LOCATE('DE', c.country_code) > 0
    OR LOCATE('FR', c.country_code) > 0
    OR LOCATE('IT', c.country_code) > 0
    OR LOCATE('NL', c.country_code) > 0
    OR LOCATE('ES', c.country_code) > 0
    OR LOCATE('PL', c.country_code) > 0
  )
