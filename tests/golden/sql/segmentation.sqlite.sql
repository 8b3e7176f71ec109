SELECT
  c.customer_id AS customer_id,
  CASE
    WHEN c.age >= 60
    THEN 'senior'
    WHEN c.age >= 18 AND c.consent
    THEN 'adult'
    WHEN c.age < 18
    THEN 'minor'
    ELSE 'other'
  END AS segmentation
FROM customers AS c
