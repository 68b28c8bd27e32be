-- Sample data for the demo's `analytics` logical database: load it into the backend database
-- demo_analytics on the second demo MariaDB server (127.0.0.1:13307). scripts/demo.sh does this;
-- running it again resets the data.

DROP DATABASE IF EXISTS demo_analytics;
CREATE DATABASE demo_analytics CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE demo_analytics;
SET NAMES utf8mb4;
SET time_zone = '+00:00';

CREATE TABLE daily_sales (
  day             DATE          NOT NULL PRIMARY KEY,
  orders          INT UNSIGNED  NOT NULL,
  revenue         DECIMAL(12,2) NOT NULL,
  avg_basket      DOUBLE        NOT NULL,
  best_seller     VARCHAR(200)  NULL,
  computed_at     DATETIME      NOT NULL
) ENGINE=InnoDB;

CREATE TABLE page_views (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  viewed_at    DATETIME(3)     NOT NULL,
  path         VARCHAR(255)    NOT NULL,
  country      CHAR(2)         NULL,
  duration_ms  INT UNSIGNED    NOT NULL,
  referrer     VARCHAR(255)    NULL,
  user_agent   VARCHAR(255)    NOT NULL,
  KEY idx_views_viewed_at (viewed_at),
  KEY idx_views_path (path)
) ENGINE=InnoDB;

CREATE TABLE search_terms (
  term        VARCHAR(100) NOT NULL PRIMARY KEY,
  searches    INT UNSIGNED NOT NULL,
  conversion  DECIMAL(5,4) NOT NULL,
  last_seen   DATETIME     NOT NULL
) ENGINE=InnoDB;

INSERT INTO daily_sales (day, orders, revenue, avg_basket, best_seller, computed_at) VALUES
  ('2023-06-01', 1,  49.80,  49.80, 'Ethiopia Yirgacheffe ☕ 250 g',   '2023-06-02 00:05:00'),
  ('2023-06-03', 1,  48.33,  48.33, 'Sencha Kagoshima 100 g 🍵',       '2023-06-04 00:05:00'),
  ('2023-06-10', 1,  46.30,  46.30, 'Le café, de la graine à la tasse', '2023-06-11 00:05:00'),
  ('2023-06-12', 1, 170.15, 170.15, 'Hand grinder “Zürich”',           '2023-06-13 00:05:00'),
  ('2023-06-15', 1, 131.50, 131.50, 'Gooseneck kettle 1 L',            '2023-06-16 00:05:00'),
  ('2023-06-20', 1, 107.90, 107.90, 'Sencha Kagoshima 100 g 🍵',       '2023-06-21 00:05:00'),
  ('2023-06-25', 1, 119.00, 119.00, 'Hand grinder “Zürich”',           '2023-06-26 00:05:00'),
  ('2023-06-28', 1,  39.00,  39.00, 'Colombia Huila 1 kg',             '2023-06-29 00:05:00'),
  ('2023-07-01', 1,  67.47,  67.47, 'Décaféiné Suave 500 g',           '2023-07-02 00:05:00'),
  ('2023-07-03', 1,  54.80,  54.80, 'Le café, de la graine à la tasse', '2023-07-04 00:05:00'),
  ('2023-07-05', 1,  89.80,  89.80, 'Pour-over dripper, size 02',      '2023-07-06 00:05:00');

INSERT INTO page_views (viewed_at, path, country, duration_ms, referrer, user_agent) VALUES
  ('2023-06-01 10:01:02.003', '/',                               'ES',  4200, 'https://www.google.es/',  'Mozilla/5.0 (X11; Linux x86_64) Firefox/114.0'),
  ('2023-06-01 10:03:15.250', '/products/COF-ETH-250',           'ES', 31000, '/',                       'Mozilla/5.0 (X11; Linux x86_64) Firefox/114.0'),
  ('2023-06-01 10:14:59.999', '/checkout',                       'ES', 56000, '/products/COF-ETH-250',   'Mozilla/5.0 (X11; Linux x86_64) Firefox/114.0'),
  ('2023-06-03 18:55:00.000', '/de/tee',                         'DE', 12000, NULL,                      'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5) Safari/604.1'),
  ('2023-06-03 19:00:41.120', '/products/TEA-SEN-100',           'DE', 45000, '/de/tee',                 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5) Safari/604.1'),
  ('2023-06-10 07:40:00.500', '/fr/livres/le-café',              'FR', 90500, 'https://duckduckgo.com/', 'Mozilla/5.0 (Macintosh) Safari/605.1.15'),
  ('2023-06-12 22:50:10.010', '/products/EQP-GRD-HND',           'ES', 120000, '/',                      'Mozilla/5.0 (Windows NT 10.0) Chrome/114.0'),
  ('2023-06-15 11:00:00.000', '/pl/czajnik',                     'PL',  8000, 'https://www.bing.com/',   'Mozilla/5.0 (Android 13) Chrome/114.0'),
  ('2023-06-18 13:30:00.000', '/pt/chá/rooibos',                 'BR', 15000, NULL,                      'Mozilla/5.0 (Android 13) Chrome/114.0'),
  ('2023-06-20 01:20:00.000', '/ja/お茶',                         'JP', 61000, 'https://www.yahoo.co.jp/', 'Mozilla/5.0 (iPad; CPU OS 16_5) Safari/604.1'),
  ('2023-06-25 16:58:30.300', '/sv/kaffekvarn',                  'SE', 22000, NULL,                      'Mozilla/5.0 (X11; Linux x86_64) Firefox/114.0'),
  ('2023-06-28 08:29:00.000', '/de/lastenrad 🚲',                'DE',  3000, '/de/tee',                 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5) Safari/604.1'),
  ('2023-07-01 11:58:00.000', '/fr/thé',                         'FR', 27000, NULL,                      'Mozilla/5.0 (Macintosh) Safari/605.1.15'),
  ('2023-07-03 09:05:00.000', '/pl/książki',                     'PL', 18000, NULL,                      'Mozilla/5.0 (Android 13) Chrome/114.0'),
  ('2023-07-05 20:15:00.000', '/',                               NULL,  1000, NULL,                      'curl/7.88.1');

INSERT INTO search_terms (term, searches, conversion, last_seen) VALUES
  ('café',              412, 0.0825, '2023-07-05 19:59:00'),
  ('décaféiné',          57, 0.1228, '2023-06-10 07:39:00'),
  ('grinder',           233, 0.0300, '2023-06-25 16:57:00'),
  ('Kaffeemühle',        98, 0.0408, '2023-06-24 10:00:00'),
  ('緑茶',                41, 0.1463, '2023-06-20 01:19:00'),
  ('herbata zielona',    19, 0.0526, '2023-07-03 09:04:00'),
  ('☕ gift',             73, 0.0959, '2023-07-01 11:57:00');
