SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    POSITION('AT' IN c.country_code) > 0
    OR POSITION('BE' IN c.country_code) > 0
    OR POSITION('DE' IN c.country_code) > 0
    OR POSITION('FR' IN c.country_code) > 0
    OR POSITION('IT' IN c.country_code) > 0
    OR POSITION('NL' IN c.country_code) > 0
    OR POSITION('ES' IN c.country_code) > 0
    OR POSITION('PL' IN c.country_code) > 0
  )
