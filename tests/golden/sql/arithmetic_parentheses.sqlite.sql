SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.age * (
    c.age + 1
  ) - CAST((
    CAST(c.income AS REAL) / (
      c.age - 1
    )
  ) AS REAL) / (
    CAST(c.age AS REAL) / 2
  ) > 100
