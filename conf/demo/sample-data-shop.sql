-- Sample data for the demo's `shop` logical database: load it into the backend database
-- demo_shop on the first demo MariaDB server (127.0.0.1:13306). scripts/demo.sh does this;
-- running it again resets the data.

DROP DATABASE IF EXISTS demo_shop;
CREATE DATABASE demo_shop CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE demo_shop;
SET NAMES utf8mb4;
SET time_zone = '+00:00';

CREATE TABLE customers (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email       VARCHAR(191) NOT NULL UNIQUE,
  full_name   VARCHAR(100) NOT NULL,
  city        VARCHAR(80)  NULL,
  country     CHAR(2)      NOT NULL,
  vip         BOOLEAN      NOT NULL DEFAULT FALSE,
  birth_date  DATE         NULL,
  created_at  DATETIME     NOT NULL,
  updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB;

CREATE TABLE products (
  id           INT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku          VARCHAR(32)   NOT NULL UNIQUE,
  name         VARCHAR(200)  NOT NULL,
  description  TEXT          NULL,
  price        DECIMAL(10,2) NOT NULL,
  weight_kg    DOUBLE        NULL,
  stock        INT           NOT NULL DEFAULT 0,
  category     ENUM('coffee','tea','equipment','books','bikes') NOT NULL,
  attributes   JSON          NULL,
  created_at   DATETIME      NOT NULL
) ENGINE=InnoDB;

CREATE TABLE orders (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id  INT UNSIGNED    NOT NULL,
  status       ENUM('new','paid','shipped','delivered','cancelled') NOT NULL DEFAULT 'new',
  ordered_at   DATETIME(3)     NOT NULL,
  shipped_at   DATETIME        NULL,
  total        DECIMAL(12,2)   NOT NULL DEFAULT 0.00,
  note         VARCHAR(255)    NULL,
  KEY idx_orders_customer (customer_id),
  KEY idx_orders_ordered_at (ordered_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
  order_id    BIGINT UNSIGNED   NOT NULL,
  line_no     SMALLINT UNSIGNED NOT NULL,
  product_id  INT UNSIGNED      NOT NULL,
  quantity    INT UNSIGNED      NOT NULL,
  unit_price  DECIMAL(10,2)     NOT NULL,
  discount    DECIMAL(4,3)      NOT NULL DEFAULT 0.000,
  PRIMARY KEY (order_id, line_no),
  KEY idx_items_product (product_id),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_items_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB;

INSERT INTO customers (id, email, full_name, city, country, vip, birth_date, created_at) VALUES
  (1,  'jose.garcia@example.com',   'José García',       'Sevilla',   'ES', TRUE,  '1985-03-14', '2023-01-05 09:12:44'),
  (2,  'zoe.muller@example.com',    'Zoë Müller',        'Köln',      'DE', FALSE, '1992-11-02', '2023-01-17 18:40:03'),
  (3,  'francois.leveque@example.com', 'François Lévêque', 'Besançon', 'FR', FALSE, NULL,        '2023-02-01 07:55:10'),
  (4,  'lukasz.wojcik@example.com', 'Łukasz Wójcik',     'Kraków',    'PL', TRUE,  '1979-07-30', '2023-02-20 21:03:59'),
  (5,  'ines.conceicao@example.com','Inês Conceição',    'São Paulo', 'BR', FALSE, '2001-05-21', '2023-03-08 12:00:00'),
  (6,  'yamada.hanako@example.com', '山田 花子',          '東京',       'JP', FALSE, '1995-09-09', '2023-04-11 03:21:17'),
  (7,  'bjorn.ostberg@example.com', 'Björn Östberg',     'Göteborg',  'SE', TRUE,  '1988-12-24', '2023-05-02 16:45:30'),
  (8,  'amelie.dupont@example.com', 'Amélie Dupont 🌻',  NULL,        'FR', FALSE, NULL,         '2023-06-19 10:10:10');

INSERT INTO products (id, sku, name, description, price, weight_kg, stock, category, attributes, created_at) VALUES
  (1,  'COF-ETH-250', 'Ethiopia Yirgacheffe ☕ 250 g', 'Floral, citrus, light roast.',            12.90, 0.25,  140, 'coffee',    '{"roast": "light", "origin": "ET"}', '2022-12-01 08:00:00'),
  (2,  'COF-COL-1K',  'Colombia Huila 1 kg',           'Caramel and red apple, medium roast.',    34.50, 1.00,   60, 'coffee',    '{"roast": "medium", "origin": "CO"}', '2022-12-01 08:00:00'),
  (3,  'COF-DEC-500', 'Décaféiné Suave 500 g',         'Swiss-water decaf, crème brûlée notes.',  18.75, 0.50,   35, 'coffee',    '{"roast": "medium", "decaf": true}', '2023-01-10 08:00:00'),
  (4,  'TEA-SEN-100', 'Sencha Kagoshima 100 g 🍵',     'Steamed green tea, grassy and sweet.',    14.20, 0.10,   80, 'tea',       '{"type": "green", "origin": "JP"}', '2023-01-10 08:00:00'),
  (5,  'TEA-ROO-200', 'Rooibos Crème Vanille 200 g',   NULL,                                       9.99, 0.20,  120, 'tea',       NULL,                                  '2023-02-15 08:00:00'),
  (6,  'EQP-V60-02',  'Pour-over dripper, size 02',    'Ceramic, white.',                         24.00, 0.42,   25, 'equipment', '{"material": "ceramic"}',            '2023-02-15 08:00:00'),
  (7,  'EQP-GRD-HND', 'Hand grinder “Zürich”',         'Conical steel burrs, 40 clicks.',        119.00, 0.68,   12, 'equipment', '{"burr": "conical", "steps": 40}',   '2023-03-01 08:00:00'),
  (8,  'EQP-KET-GN',  'Gooseneck kettle 1 L',          'Temperature control, ±1 °C.',             79.90, 1.10,    0, 'equipment', '{"volume_l": 1.0}',                  '2023-03-01 08:00:00'),
  (9,  'BOK-CAF-01',  'Le café, de la graine à la tasse', 'Paperback, 320 pages, in French.',    29.00, 0.55,    7, 'books',     '{"lang": "fr", "pages": 320}',       '2023-04-01 08:00:00'),
  (10, 'BIK-CRG-01',  'Cargo bike delivery 🚲 (Köln only)', 'Same-day delivery add-on.',          4.50, NULL,  9999, 'bikes',     '{"cities": ["Köln"]}',               '2023-05-01 08:00:00');

INSERT INTO orders (id, customer_id, status, ordered_at, shipped_at, note) VALUES
  (1001, 1, 'delivered', '2023-06-01 10:15:30.125', '2023-06-02 08:00:00', NULL),
  (1002, 2, 'delivered', '2023-06-03 19:02:11.500', '2023-06-05 09:30:00', 'Bitte beim Nachbarn abgeben.'),
  (1003, 3, 'shipped',   '2023-06-10 07:45:00.000', '2023-06-11 14:00:00', 'Livraison après 18 h, merci !'),
  (1004, 1, 'paid',      '2023-06-12 22:59:59.999', NULL,                  NULL),
  (1005, 4, 'delivered', '2023-06-15 11:11:11.011', '2023-06-16 10:00:00', 'Prezent — proszę bez faktury.'),
  (1006, 5, 'cancelled', '2023-06-18 13:37:00.000', NULL,                  'Cliente desistiu 😕'),
  (1007, 6, 'delivered', '2023-06-20 01:23:45.678', '2023-06-22 03:00:00', 'ギフト包装をお願いします'),
  (1008, 7, 'new',       '2023-06-25 17:00:00.000', NULL,                  NULL),
  (1009, 2, 'paid',      '2023-06-28 08:30:00.250', NULL,                  'Lastenrad bitte 🚲'),
  (1010, 8, 'shipped',   '2023-07-01 12:00:00.000', '2023-07-02 12:00:00', NULL),
  (1011, 4, 'delivered', '2023-07-03 09:09:09.909', '2023-07-04 11:00:00', NULL),
  (1012, 7, 'paid',      '2023-07-05 20:20:20.202', NULL,                  'Tack så mycket!');

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount) VALUES
  (1001, 1, 1, 2, 12.90, 0.000),
  (1001, 2, 6, 1, 24.00, 0.000),
  (1002, 1, 4, 3, 14.20, 0.100),
  (1002, 2, 5, 1,  9.99, 0.000),
  (1003, 1, 3, 1, 18.75, 0.000),
  (1003, 2, 9, 1, 29.00, 0.050),
  (1004, 1, 2, 2, 34.50, 0.000),
  (1004, 2, 7, 1, 119.00, 0.150),
  (1005, 1, 1, 4, 12.90, 0.000),
  (1005, 2, 8, 1, 79.90, 0.000),
  (1006, 1, 5, 2,  9.99, 0.000),
  (1007, 1, 4, 5, 14.20, 0.000),
  (1007, 2, 6, 1, 24.00, 0.000),
  (1007, 3, 1, 1, 12.90, 0.000),
  (1008, 1, 7, 1, 119.00, 0.000),
  (1009, 1, 2, 1, 34.50, 0.000),
  (1009, 2, 10, 1, 4.50, 0.000),
  (1010, 1, 3, 2, 18.75, 0.000),
  (1010, 2, 5, 3,  9.99, 0.000),
  (1011, 1, 9, 1, 29.00, 0.000),
  (1011, 2, 1, 2, 12.90, 0.000),
  (1012, 1, 6, 2, 24.00, 0.000),
  (1012, 2, 4, 1, 14.20, 0.000),
  (1012, 3, 2, 1, 34.50, 0.200);

-- Order totals follow from their items (after discount, rounded to cents).
UPDATE orders o
SET total = (SELECT ROUND(SUM(i.quantity * i.unit_price * (1 - i.discount)), 2)
             FROM order_items i WHERE i.order_id = o.id);

ALTER TABLE customers AUTO_INCREMENT = 100;
ALTER TABLE products AUTO_INCREMENT = 100;
ALTER TABLE orders AUTO_INCREMENT = 2000;
