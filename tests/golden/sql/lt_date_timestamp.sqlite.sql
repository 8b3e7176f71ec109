SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  '2000-01-07 12:00:00.000000' >= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      DATETIME(
        DATE(SUBSTRING(DATE(c.birth_date), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE(c.birth_date), 11)
      ),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      DATETIME(
        DATE(SUBSTRING(DATE(c.birth_date), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE(c.birth_date), 11)
      ),
      21
    ) || '000000',
    1,
    6
  )
