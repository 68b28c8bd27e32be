-- The demo's MariaDB server 0 (127.0.0.1:13306): the database behind sharding_db's ds_0, empty
-- (the proxy creates the actual tables when conf/demo/sample-data-sharding.sql goes in through
-- it), and one least-privilege account per data source on this server (README: Backend
-- accounts), the accounts that conf/demo/database-*.yaml name. Run by scripts/demo.sh and by
-- docker/compose.yaml's mariadb-0. In a GRANT, `_` in a database name is a wildcard: escaped, it
-- names this database only.
CREATE DATABASE IF NOT EXISTS demo_ds_0 CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE OR REPLACE USER 'sp_shop'@'127.0.0.1' IDENTIFIED BY 'sp_shop_pw';
GRANT ALL PRIVILEGES ON `demo\_shop`.* TO 'sp_shop'@'127.0.0.1';
CREATE OR REPLACE USER 'sp_sharding_ds_0'@'127.0.0.1' IDENTIFIED BY 'sp_sharding_ds_0_pw';
GRANT ALL PRIVILEGES ON `demo\_ds\_0`.* TO 'sp_sharding_ds_0'@'127.0.0.1';
