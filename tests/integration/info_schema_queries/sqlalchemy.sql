-- SQLAlchemy 1.4 (Debian python3-sqlalchemy), MySQL dialect: inspect() and has_table().
-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect.has_table()
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'it_info_shop' AND table_name = 'shop_order';

SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'it_info_shop' AND table_name = 'shop_missing';

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect.get_schema_names()
-- rows-of: Database
SHOW schemas;

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect.get_table_names(), get_view_names()
SHOW FULL TABLES FROM `it_info_shop`;

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect._show_create_table() (reflection of columns, keys, indexes, foreign keys)
SHOW CREATE TABLE `it_info_shop`.`shop_order`;

SHOW CREATE TABLE `it_info_shop`.`shop_order_item`;

SHOW CREATE TABLE `it_info_shop`.`shop_dict`;

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect._correct_for_mysql_bugs_88718_96365() (after get_foreign_keys)
select table_schema, table_name, column_name
from information_schema.columns
where (table_schema, table_name, lower(column_name)) in
(('it_info_shop', 'shop_order', 'order_id'));

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect._describe_table()
DESCRIBE `it_info_shop`.`shop_order`;

-- source: sqlalchemy/dialects/mysql/base.py MySQLDialect._detect_casing()
SHOW VARIABLES LIKE 'lower_case_table_names';
