SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  (
    c.latitude BETWEEN 49.819340947 AND 55.220659053
    AND c.longitude BETWEEN 8.9638661 AND 17.8461339
  )
  AND 12742.0176 * ASIN(
    SQRT(
      SIN(CAST((
        52.52 - c.latitude
      ) * CAST(PI() AS REAL) / 180 AS REAL) / 2) * SIN(CAST((
        52.52 - c.latitude
      ) * CAST(PI() AS REAL) / 180 AS REAL) / 2) + COS((
        c.latitude
      ) * CAST(PI() AS REAL) / 180) * COS((
        52.52
      ) * CAST(PI() AS REAL) / 180) * SIN(CAST((
        13.405 - c.longitude
      ) * CAST(PI() AS REAL) / 180 AS REAL) / 2) * SIN(CAST((
        13.405 - c.longitude
      ) * CAST(PI() AS REAL) / 180 AS REAL) / 2)
    )
  ) < 300
