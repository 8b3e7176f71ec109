SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.age * (
    c.age + 1
  ) - (
    c.income / NULLIF((
      c.age - 1
    ), 0)
  ) / NULLIF((
    c.age / NULLIF(2, 0)
  ), 0) > 100
