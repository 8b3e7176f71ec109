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
