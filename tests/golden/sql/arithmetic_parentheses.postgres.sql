SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.age * (
    c.age + 1
  ) - CAST((
    CAST(c.income AS DOUBLE PRECISION) / NULLIF((
      c.age - 1
    ), 0)
  ) AS DOUBLE PRECISION) / NULLIF((
    CAST(c.age AS DOUBLE PRECISION) / NULLIF(2, 0)
  ), 0) > 100
