SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    INSTR(c.country_code, 'AT') > 0
    OR INSTR(c.country_code, 'BE') > 0
    OR INSTR(c.country_code, 'DE') > 0
    OR INSTR(c.country_code, 'FR') > 0
    OR INSTR(c.country_code, 'IT') > 0
    OR INSTR(c.country_code, 'NL') > 0
    OR INSTR(c.country_code, 'ES') > 0
    OR INSTR(c.country_code, 'PL') > 0
  )
