SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  12742.0176 * ASIN(
    SQRT(
      SIN((
        52.52 - c.latitude
      ) * PI() / 180 / 2) * SIN((
        52.52 - c.latitude
      ) * PI() / 180 / 2) + COS((
        c.latitude
      ) * PI() / 180) * COS((
        52.52
      ) * PI() / 180) * SIN((
        13.405 - c.longitude
      ) * PI() / 180 / 2) * SIN((
        13.405 - c.longitude
      ) * PI() / 180 / 2)
    )
  ) < 300
