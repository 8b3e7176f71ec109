SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  12742.0176 * ASIN(
    SQRT(
      SIN(
        CAST((
          52.52 - c.latitude
        ) * CAST(PI() AS DOUBLE PRECISION) / 180 AS DOUBLE PRECISION) / 2
      ) * SIN(
        CAST((
          52.52 - c.latitude
        ) * CAST(PI() AS DOUBLE PRECISION) / 180 AS DOUBLE PRECISION) / 2
      ) + COS((
        c.latitude
      ) * CAST(PI() AS DOUBLE PRECISION) / 180) * COS((
        52.52
      ) * CAST(PI() AS DOUBLE PRECISION) / 180) * SIN(
        CAST((
          13.405 - c.longitude
        ) * CAST(PI() AS DOUBLE PRECISION) / 180 AS DOUBLE PRECISION) / 2
      ) * SIN(
        CAST((
          13.405 - c.longitude
        ) * CAST(PI() AS DOUBLE PRECISION) / 180 AS DOUBLE PRECISION) / 2
      )
    )
  ) < 300
