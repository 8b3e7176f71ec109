SELECT
  c.customer_id AS customer_id,
  CASE
    WHEN c.country_code IN ('AT', 'BE', 'DE', 'FR', 'IT', 'NL', 'ES', 'PL')
    THEN 'eu'
    WHEN c.country_code = 'US'
    THEN 'us'
    ELSE NULL
  END AS segmentation_without_else
FROM customers AS c
