-- The demo's MariaDB server 1 (127.0.0.1:13307): the database behind sharding_db's ds_1, empty
-- (the proxy creates the actual tables when conf/demo/sample-data-sharding.sql goes in through
-- it), and one least-privilege account per data source on this server (README: Backend
-- accounts), the accounts that conf/demo/database-*.yaml name. Run by scripts/demo.sh and by
-- docker/compose.yaml's mariadb-1. In a GRANT, `_` in a database name is a wildcard: escaped, it
-- names this database only.
CREATE DATABASE IF NOT EXISTS demo_ds_1 CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE OR REPLACE USER 'sp_analytics'@'127.0.0.1' IDENTIFIED BY 'sp_analytics_pw';
GRANT ALL PRIVILEGES ON `demo\_analytics`.* TO 'sp_analytics'@'127.0.0.1';
CREATE OR REPLACE USER 'sp_sharding_ds_1'@'127.0.0.1' IDENTIFIED BY 'sp_sharding_ds_1_pw';
GRANT ALL PRIVILEGES ON `demo\_ds\_1`.* TO 'sp_sharding_ds_1'@'127.0.0.1';
