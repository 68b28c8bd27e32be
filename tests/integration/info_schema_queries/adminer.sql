-- Adminer 4.8.1 (Debian package adminer), MySQL driver.
-- source: adminer/drivers/mysql.inc.php get_databases()
-- rows-of: SCHEMA_NAME
SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME;

-- source: adminer/drivers/mysql.inc.php tables_list()
SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME;

-- source: adminer/drivers/mysql.inc.php count_tables()
SHOW TABLES IN `it_info_shop`;

-- source: adminer/drivers/mysql.inc.php table_status($name = "", $fast = true)
SELECT TABLE_NAME AS Name, ENGINE AS Engine, TABLE_COMMENT AS Comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY Name;

-- source: adminer/drivers/mysql.inc.php table_status($name = "shop_order", $fast = true)
SELECT TABLE_NAME AS Name, ENGINE AS Engine, TABLE_COMMENT AS Comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shop_order';

-- source: adminer/drivers/mysql.inc.php table_status()
-- ignore: Comment
SHOW TABLE STATUS;

-- source: adminer/drivers/mysql.inc.php table_status($name = "shop_order_item")
-- ignore: Comment
SHOW TABLE STATUS LIKE 'shop\_order\_item';

-- source: adminer/drivers/mysql.inc.php fields()
SHOW FULL COLUMNS FROM `shop_order`;

SHOW FULL COLUMNS FROM `shop_order_item`;

-- source: adminer/drivers/mysql.inc.php indexes()
-- ignore: Cardinality
SHOW INDEX FROM `shop_order`;

-- source: adminer/drivers/mysql.inc.php foreign_keys()
SHOW CREATE TABLE `shop_order_item`;

-- source: adminer/drivers/mysql.inc.php view()
SHOW CREATE VIEW `shop_note_v`;

-- source: adminer/drivers/mysql.inc.php triggers()
-- ignore: Created
SHOW TRIGGERS LIKE 'shop\_note';

-- source: adminer/drivers/mysql.inc.php routines()
SELECT ROUTINE_NAME AS SPECIFIC_NAME, ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'it_info_shop';

-- source: adminer/drivers/mysql.inc.php db_collation()
SHOW CREATE DATABASE `it_info_shop`;
