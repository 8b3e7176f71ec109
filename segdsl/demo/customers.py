"""The SQL of the demo's customers: the cities they live in, their hidden habits, their rows
in `customers`, and their tags (segdsl/demo/data.py runs it, and says how it draws).
"""

# Cities with their region, coordinates, a relative weight (gives the country
# skew) and a postcode shape: prefix, number of random digits, suffix.
CITIES = """
CREATE TEMP TABLE city AS
SELECT row_number() OVER () AS city_id, * FROM (VALUES
 ('DE','Berlin','Berlin',52.5200,13.4050,60,'10',3,'','49'),
 ('DE','Hamburg','Hamburg',53.5511,9.9937,35,'20',3,'','49'),
 ('DE','Bavaria','Munich',48.1351,11.5820,45,'80',3,'','49'),
 ('DE','Bavaria','Nuremberg',49.4521,11.0767,12,'90',3,'','49'),
 ('DE','North Rhine-Westphalia','Cologne',50.9375,6.9603,30,'50',3,'','49'),
 ('DE','North Rhine-Westphalia','Düsseldorf',51.2277,6.7735,15,'40',3,'','49'),
 ('DE','Hesse','Frankfurt am Main',50.1109,8.6821,25,'60',3,'','49'),
 ('DE','Baden-Württemberg','Stuttgart',48.7758,9.1829,20,'70',3,'','49'),
 ('DE','Saxony','Leipzig',51.3397,12.3731,10,'04',3,'','49'),
 ('FR','Île-de-France','Paris',48.8566,2.3522,50,'75',3,'','33'),
 ('FR','Île-de-France','Boulogne-Billancourt',48.8397,2.2399,8,'921',2,'','33'),
 ('FR','Île-de-France','Versailles',48.8049,2.1204,7,'780',2,'','33'),
 ('FR','Île-de-France','Saint-Denis',48.9362,2.3574,6,'932',2,'','33'),
 ('FR','Auvergne-Rhône-Alpes','Lyon',45.7640,4.8357,25,'690',2,'','33'),
 ('FR','Provence-Alpes-Côte d''Azur','Marseille',43.2965,5.3698,20,'130',2,'','33'),
 ('FR','Occitanie','Toulouse',43.6047,1.4442,12,'310',2,'','33'),
 ('FR','Nouvelle-Aquitaine','Bordeaux',44.8378,-0.5792,10,'330',2,'','33'),
 ('GB','England','London',51.5074,-0.1278,60,'SW1A ',1,'AA','44'),
 ('GB','England','Manchester',53.4808,-2.2426,20,'M1 ',1,'AE','44'),
 ('GB','England','Birmingham',52.4862,-1.8904,15,'B1 ',1,'BB','44'),
 ('GB','Scotland','Edinburgh',55.9533,-3.1883,12,'EH1 ',1,'QS','44'),
 ('GB','Wales','Cardiff',51.4816,-3.1791,5,'CF10 ',1,'AN','44'),
 ('US','New York','New York',40.7128,-74.0060,30,'100',2,'','1'),
 ('US','California','Los Angeles',34.0522,-118.2437,25,'900',2,'','1'),
 ('US','California','San Francisco',37.7749,-122.4194,12,'941',2,'','1'),
 ('US','Illinois','Chicago',41.8781,-87.6298,18,'606',2,'','1'),
 ('US','Texas','Austin',30.2672,-97.7431,10,'787',2,'','1'),
 ('NL','North Holland','Amsterdam',52.3676,4.9041,30,'10',2,' AB','31'),
 ('NL','South Holland','Rotterdam',51.9244,4.4777,18,'30',2,' CD','31'),
 ('NL','Utrecht','Utrecht',52.0907,5.1214,12,'35',2,' EF','31'),
 ('ES','Community of Madrid','Madrid',40.4168,-3.7038,30,'280',2,'','34'),
 ('ES','Catalonia','Barcelona',41.3874,2.1686,25,'080',2,'','34'),
 ('ES','Valencian Community','Valencia',39.4699,-0.3763,8,'460',2,'','34'),
 ('IT','Lombardy','Milan',45.4642,9.1900,25,'201',2,'','39'),
 ('IT','Lazio','Rome',41.9028,12.4964,22,'001',2,'','39'),
 ('IT','Campania','Naples',40.8518,14.2681,8,'801',2,'','39'),
 ('PL','Masovia','Warsaw',52.2297,21.0122,25,'00-',3,'','48'),
 ('PL','Lesser Poland','Kraków',50.0647,19.9450,15,'30-',3,'','48'),
 ('SE','Stockholm','Stockholm',59.3293,18.0686,22,'111 ',2,'','46'),
 ('SE','Västra Götaland','Gothenburg',57.7089,11.9746,10,'411 ',2,'','46'),
 ('AT','Vienna','Vienna',48.2082,16.3738,22,'1',3,'','43'),
 ('AT','Styria','Graz',47.0707,15.4395,6,'80',2,'','43'),
 ('BE','Brussels-Capital','Brussels',50.8503,4.3517,16,'10',2,'','32'),
 ('BE','Flanders','Antwerp',51.2194,4.4025,9,'20',2,'','32'),
 ('CH','Zurich','Zurich',47.3769,8.5417,14,'80',2,'','41'),
 ('CH','Geneva','Geneva',46.2044,6.1432,10,'12',2,'','41'),
 ('DK','Capital Region','Copenhagen',55.6761,12.5683,16,'1',3,'','45'),
 ('DK','Central Denmark','Aarhus',56.1629,10.2039,5,'80',2,'','45'),
 ('IE','Leinster','Dublin',53.3498,-6.2603,16,'D0',1,' X285','353'),
 ('PT','Lisbon','Lisbon',38.7223,-9.1393,14,'1',3,'-001','351'),
 ('PT','Norte','Porto',41.1579,-8.6291,7,'4',3,'-001','351'),
 ('CZ','Prague','Prague',50.0755,14.4378,15,'110 ',2,'','420'),
 ('FI','Uusimaa','Helsinki',60.1699,24.9384,10,'00',3,'','358'),
 ('HU','Central Hungary','Budapest',47.4979,19.0402,6,'1',3,'','36'),
 ('GR','Attica','Athens',37.9838,23.7275,6,'10',3,'','30'),
 ('RO','Bucharest','Bucharest',44.4268,26.1025,6,'0',5,'','40'),
 ('LU','Luxembourg','Luxembourg',49.6116,6.1319,4,'L-1',3,'','352'),
 ('NO','Oslo','Oslo',59.9139,10.7522,15,'0',3,'','47'),
 ('CA','Ontario','Toronto',43.6532,-79.3832,15,'M5V ',1,'K2','1'),
 ('AU','New South Wales','Sydney',-33.8688,151.2093,10,'20',2,'','61')
) v(country_code, region, city, lat, lon, weight, pc_prefix, pc_digits, pc_suffix, dial);
CREATE TEMP TABLE city_bucket AS  -- one row per unit of weight: a uniform draw picks a city
SELECT row_number() OVER (ORDER BY city_id, k) - 1 AS bucket, city_id FROM city, range(weight) r(k);
"""

# Customers with their hidden habits. Times are microseconds since the epoch.
PERSON = """
CREATE TEMP TABLE person AS
WITH draw AS (
  SELECT i AS customer_id,
    CASE WHEN u(i, 'gender') < 0.49 THEN 'female' WHEN u(i, 'gender') < 0.955 THEN 'male'
         WHEN u(i, 'gender') < 0.975 THEN 'diverse' END AS gender,
    18 + floor(72 * pow((u(i, 'age-a') + u(i, 'age-b')) / 2, 1.4))::INTEGER AS age_years,
    floor(u(i, 'city') * (SELECT count(*) FROM city_bucket))::BIGINT AS bucket,
    getvariable('as_of') - 3 * 3600000000
      - floor(pow(u(i, 'signup'), 1.3) * 4 * 365.25 * 86400e6)::BIGINT AS signup_us,
    pick(['secondary', 'vocational', 'vocational', 'bachelor', 'bachelor', 'master', 'doctorate',
          'secondary', 'vocational', 'bachelor', 'master', 'secondary'], u(i, 'edu')) AS education,
    CASE WHEN u(i, 'consent') < 0.6 THEN true WHEN u(i, 'consent') < 0.9 THEN false END
      AS marketing_consent,
    pick(['organic', 'organic', 'organic', 'paid_search', 'paid_search', 'social', 'social',
          'email', 'referral', 'affiliate'], u(i, 'acq')) AS acquisition_channel,
    pick(['mobile', 'mobile', 'mobile', 'mobile', 'mobile', 'mobile', 'desktop', 'desktop',
          'desktop', 'tablet'], u(i, 'device')) AS device,
    pick([7, 8, 10, 12, 13, 18, 19, 20, 20, 21, 21, 22, 23], u(i, 'hour')) AS pref_hour,
    1 + floor(u(i, 'fav') * 8)::INTEGER AS fav_category,
    u(i, 'silent') < 0.12 AS silent,  -- offline or imported: no events at all
    CASE WHEN u(i, 'buyer') < 0.28 THEN 0 ELSE 0.55 + 0.4 * u(i, 'buyer-rate') END AS p_checkout,
    0.45 + 0.4 * u(i, 'cart-rate') AS p_cart,
    ln(1 - u(i, 'act-a')) * ln(1 - u(i, 'act-b')) AS activity,  -- mean 1, heavy tail
    u(i, 'reader') < 0.55 AS reader,  -- opens the weekly newsletter now and then (if consented)
    1 + 40 * pow(u(i, 'read-rate'), 2) AS reads_per_year  -- mean 14
  FROM range(1, getvariable('customers') + getvariable('erased') + 1) t(i)
), placed AS (
  SELECT d.*, c.*,
    (getvariable('as_of_date') - to_years(age_years))::DATE
      - floor(u(customer_id, 'dob') * 365)::INTEGER AS dob,
    CASE WHEN u(customer_id, 'churn') < 0.55 THEN signup_us + 3 * 3600000000 + floor(
      u(customer_id, 'churn-at') * (getvariable('as_of') - signup_us - 3 * 3600000000))::BIGINT
      ELSE getvariable('as_of') END AS end_us,
    pick(['Anna', 'Maria', 'Sophie', 'Emma', 'Laura', 'Julia', 'Lea', 'Chloé', 'Camille',
          'Olivia', 'Emily', 'Charlotte', 'Sofia', 'Giulia', 'Lucía', 'Martina', 'Zofia', 'Elin',
          'Ingrid', 'Hannah', 'Mia', 'Sarah', 'Eva', 'Ana', 'Aoife'], u(customer_id, 'fname-f'))
      AS female_name,
    pick(['Lukas', 'Jonas', 'Leon', 'Paul', 'Lucas', 'Hugo', 'Louis', 'Oliver', 'James', 'Jack',
          'Noah', 'Liam', 'Luca', 'Marco', 'Alejandro', 'Pablo', 'Jakub', 'Piotr', 'Erik', 'Lars',
          'Felix', 'Max', 'David', 'Thomas', 'João'], u(customer_id, 'fname-m')) AS male_name
  FROM draw d JOIN city_bucket b USING (bucket) JOIN city c USING (city_id)
)
SELECT *,
  CASE WHEN u(customer_id, 'leap') < 0.004 THEN make_date(year(dob) - year(dob) % 4, 2, 29)
       WHEN u(customer_id, 'dob-null') >= 0.06 THEN dob END AS birth_date,
  CASE WHEN silent THEN 0 ELSE least(400, floor(activity * (2.2 + 4 * (end_us - signup_us)
       / (365.25 * 86400e6)) + u(customer_id, 'sessions'))::INTEGER) END AS n_sessions,
  CASE WHEN silent OR NOT reader OR marketing_consent IS NOT TRUE THEN 0 ELSE least(1000, floor(
       reads_per_year * (end_us - signup_us) / (365.25 * 86400e6) + u(customer_id, 'reads'))
       ::INTEGER) END AS n_reads
FROM placed;
"""

CUSTOMERS = """
CREATE TABLE customers (
  customer_id BIGINT PRIMARY KEY, first_name VARCHAR, email VARCHAR, phone VARCHAR,
  country_code VARCHAR, region VARCHAR, city VARCHAR, postcode VARCHAR,
  latitude DOUBLE, longitude DOUBLE, birth_date DATE, age INTEGER, gender VARCHAR,
  marital_status VARCHAR, education VARCHAR, income DECIMAL(12, 2), life_stage VARCHAR,
  marketing_consent BOOLEAN, nps INTEGER, acquisition_channel VARCHAR,
  signup_at TIMESTAMP, last_seen_at TIMESTAMP
);
INSERT INTO customers
WITH aged AS (
  SELECT p.*, year(getvariable('as_of_date')) - year(birth_date) - CASE
      WHEN month(getvariable('as_of_date')) * 100 + day(getvariable('as_of_date'))
         < month(birth_date) * 100 + day(birth_date) THEN 1 ELSE 0 END AS age,
    CASE WHEN gender = 'male' OR (gender IS DISTINCT FROM 'female' AND u(customer_id, 'nm') < .5)
         THEN male_name ELSE female_name END AS first_name,
    u(customer_id, 'marital') AS r_marital
  FROM person p
), married AS (
  SELECT *, CASE WHEN u(customer_id, 'marital-null') < 0.05 THEN NULL
    WHEN age < 25 THEN if(r_marital < 0.85, 'single', 'partnership')
    WHEN age < 40 THEN CASE WHEN r_marital < 0.35 THEN 'single'
      WHEN r_marital < 0.55 THEN 'partnership' WHEN r_marital < 0.95 THEN 'married'
      ELSE 'divorced' END
    WHEN age < 65 OR age IS NULL THEN CASE WHEN r_marital < 0.15 THEN 'single'
      WHEN r_marital < 0.25 THEN 'partnership' WHEN r_marital < 0.80 THEN 'married'
      WHEN r_marital < 0.97 THEN 'divorced' ELSE 'widowed' END
    ELSE CASE WHEN r_marital < 0.1 THEN 'single' WHEN r_marital < 0.65 THEN 'married'
      WHEN r_marital < 0.75 THEN 'divorced' ELSE 'widowed' END END AS marital_status,
    strip_accents(lower(first_name)) || '.' || customer_id || '@'
      || pick(['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com',
               'gmx.de', 'web.de', 'proton.me', 'hotmail.com', 'orange.fr'], u(customer_id, 'dom'))
      AS address
  FROM aged
)
SELECT m.customer_id, first_name,
  CASE WHEN u(customer_id, 'email') < 0.07 THEN NULL WHEN u(customer_id, 'email') < 0.09 THEN ''
       WHEN u(customer_id, 'email') < 0.13 THEN upper(address) ELSE address END,
  if(u(customer_id, 'phone') < 0.4, NULL, '+' || dial || ' '
     || lpad(floor(u(customer_id, 'digits') * 1e9)::BIGINT::VARCHAR, 9, '0')),
  country_code, region, city,
  pc_prefix || lpad(floor(u(customer_id, 'pc') * pow(10, pc_digits))::BIGINT::VARCHAR,
                    pc_digits, '0') || pc_suffix,
  if(u(customer_id, 'geo-null') < 0.03, NULL, lat + (u(customer_id, 'lat') - 0.5) * 0.12),
  if(u(customer_id, 'geo-null') < 0.03, NULL, lon + (u(customer_id, 'lon') - 0.5) * 0.18),
  birth_date, age, gender, marital_status, education,
  if(u(customer_id, 'income-null') < 0.1, NULL, round(
     CASE education WHEN 'secondary' THEN 28000 WHEN 'vocational' THEN 34000
       WHEN 'bachelor' THEN 45000 WHEN 'master' THEN 56000 ELSE 68000 END
     * (0.55 + 0.45 * least(coalesce(age, 40), 50) / 50)
     * exp(0.55 * normal(customer_id, 'income')), 2)),
  CASE WHEN age IS NULL THEN NULL
    WHEN age < 27 AND u(customer_id, 'student') < 0.5 THEN 'student'
    WHEN age >= 67 THEN 'retired'
    WHEN age < 35 THEN if(marital_status = 'married', 'young_couple', 'young_single')
    WHEN age < 55 AND marital_status IN ('married', 'partnership') THEN 'family'
    WHEN age < 55 THEN 'established_single'
    ELSE 'empty_nester' END,
  marketing_consent,
  CASE WHEN u(customer_id, 'nps') >= 0.28 THEN NULL
    WHEN u(customer_id, 'nps-kind') < 0.45 THEN 9 + floor(u(customer_id, 'nps-v') * 2)
    WHEN u(customer_id, 'nps-kind') < 0.75 THEN 7 + floor(u(customer_id, 'nps-v') * 2)
    ELSE floor(u(customer_id, 'nps-v') * 7) END,
  acquisition_channel, make_timestamp(signup_us), l.last_seen_at
FROM married m LEFT JOIN (SELECT customer_id, max(ts) AS last_seen_at FROM events GROUP BY ALL) l
  USING (customer_id)
WHERE customer_id <= getvariable('customers')  -- erased accounts: see ERASED_PER_CUSTOMER
ORDER BY customer_id;
"""

TAGS = """
CREATE TABLE customer_tags (customer_id BIGINT, tag VARCHAR);
INSERT INTO customer_tags
SELECT customer_id, tag FROM (
  SELECT p.customer_id, t.tag,
    row_number() OVER (PARTITION BY p.customer_id ORDER BY u2(p.customer_id, t.no, 'tag-rank'))
      AS tag_rank
  FROM person p CROSS JOIN (VALUES (1, 'awaits-sale'), (2, 'newsletter'), (3, 'vip-event'),
    (4, 'b2b'), (5, 'student'), (6, 'eco'), (7, 'returns-often')) t(no, tag)
  WHERE u2(p.customer_id, t.no, 'tag') < CASE t.tag
    WHEN 'awaits-sale' THEN 0.2 WHEN 'newsletter' THEN if(p.marketing_consent, 0.5, 0.03)
    WHEN 'vip-event' THEN if(p.p_checkout > 0.8, 0.25, 0.02) WHEN 'b2b' THEN 0.05
    WHEN 'student' THEN if(p.age_years < 27, 0.4, 0.01) WHEN 'eco' THEN 0.12 ELSE 0.08 END
) WHERE tag_rank <= 4 AND customer_id <= getvariable('customers')
ORDER BY customer_id, tag;
"""
