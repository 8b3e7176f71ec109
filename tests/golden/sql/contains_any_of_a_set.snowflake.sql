SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    CHARINDEX('AT', c.country_code) > 0
    OR CHARINDEX('BE', c.country_code) > 0
    OR CHARINDEX('DE', c.country_code) > 0
    OR CHARINDEX('FR', c.country_code) > 0
    OR CHARINDEX('IT', c.country_code) > 0
    OR CHARINDEX('NL', c.country_code) > 0
    OR CHARINDEX('ES', c.country_code) > 0
    OR CHARINDEX('PL', c.country_code) > 0
  )
