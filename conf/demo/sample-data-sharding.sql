-- Sample data for the demo's sharded logical database `sharding_db`
-- (conf/demo/database-sharding.yaml). Unlike the other sample files, this one is loaded THROUGH
-- THE PROXY, into empty backend databases demo_ds_0 (127.0.0.1:13306) and demo_ds_1
-- (127.0.0.1:13307); scripts/demo.sh does this:
--
--   mariadb -h127.0.0.1 -P3307 -uroot -proot sharding_db < conf/demo/sample-data-sharding.sql
--
-- The proxy runs each CREATE TABLE of a sharded table on all of its actual tables (t_order_0,
-- t_order_1 on both servers), a broadcast table's on both servers, and sends each INSERT row to
-- its shard: data source ds_${user_id % 2}, table _${order_id % 2}. Running the file again resets
-- the data.

DROP TABLE IF EXISTS t_order_item;
DROP TABLE IF EXISTS t_order;
DROP TABLE IF EXISTS t_address;

CREATE TABLE t_order (
  order_id    BIGINT       NOT NULL,
  user_id     INT          NOT NULL,
  address_id  BIGINT       NULL,
  status      VARCHAR(20)  NOT NULL,
  created_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (order_id),
  INDEX idx_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE t_order_item (
  order_item_id  BIGINT         NOT NULL,
  order_id       BIGINT         NOT NULL,
  user_id        INT            NOT NULL,
  product        VARCHAR(100)   NOT NULL,
  quantity       INT            NOT NULL,
  price          DECIMAL(10,2)  NOT NULL,
  PRIMARY KEY (order_item_id),
  INDEX idx_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE t_address (
  address_id    BIGINT        NOT NULL,
  address_name  VARCHAR(100)  NOT NULL,
  PRIMARY KEY (address_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Broadcast: the same rows on both servers.
INSERT INTO t_address (address_id, address_name) VALUES
  (1, 'Berlin, Torstrasse 12'),
  (2, 'Lisbon, Rua Augusta 40'),
  (3, 'Osaka, Umeda 3-1');

-- Orders with explicit keys. One multi-row INSERT may span shards: the proxy splits the rows.
--   user 10 -> ds_0, user 11 -> ds_1; even order_id -> t_order_0, odd -> t_order_1.
INSERT INTO t_order (order_id, user_id, address_id, status) VALUES
  (1000, 10, 1, 'PAID'),
  (1001, 10, 1, 'SHIPPED'),
  (1100, 11, 2, 'PAID'),
  (1101, 11, 2, 'NEW');
INSERT INTO t_order (order_id, user_id, address_id, status) VALUES (1200, 12, 3, 'NEW');
INSERT INTO t_order (order_id, user_id, address_id, status) VALUES (1301, 13, 3, 'CANCELLED');

-- Items go with their order (binding tables): same data source, same table suffix.
-- order_item_id is left out: the proxy generates SNOWFLAKE keys.
INSERT INTO t_order_item (order_id, user_id, product, quantity, price) VALUES
  (1000, 10, 'Notebook', 2, 3.50),
  (1000, 10, 'Pencil', 10, 0.40),
  (1001, 10, 'Backpack', 1, 39.90),
  (1100, 11, 'Headphones', 1, 59.00),
  (1101, 11, 'USB cable', 3, 4.99),
  (1200, 12, 'Desk lamp', 1, 24.00),
  (1301, 13, 'Mug', 4, 6.25);

-- Orders with order_id left out: SNOWFLAKE keys from the proxy decide the table.
INSERT INTO t_order (user_id, address_id, status) VALUES (10, 1, 'NEW');
INSERT INTO t_order (user_id, address_id, status) VALUES (11, 2, 'NEW'), (13, 3, 'PAID');
