-- mariadb-dump 10.11 (Debian mariadb-client): the information_schema queries of
-- `mariadb-dump --routines --triggers it_info_shop` (strings of /usr/bin/mariadb-dump; its
-- source is client/mysqldump.c).
-- source: client/mysqldump.c get_actual_table_name()
SELECT table_name FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE() AND table_name = 'shop_order';

-- source: client/mysqldump.c dump_all_tables_in_db() / get_table_name_result
-- unordered
SELECT table_name, table_type FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE() ORDER BY data_length, table_name;

-- source: client/mysqldump.c check_if_ignore_table()
SELECT engine, table_type FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE() AND table_name = 'shop_order';

SELECT engine, table_type FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE() AND table_name = 'shop_note_v';

-- source: client/mysqldump.c get_table_structure() (system versioning, generated columns)
select 1 from information_schema.tables where table_schema=database() and table_name='shop_order' and table_type='SYSTEM VERSIONED';

select column_name, extra, generation_expression, data_type from information_schema.columns where table_schema=database() and table_name='shop_order' order by ordinal_position;

-- source: client/mysqldump.c get_table_structure() (the view's stand-in table)
SELECT `COLUMN_NAME` AS `Field`, `COLUMN_TYPE` AS `Type`, `IS_NULLABLE` AS `Null`, `COLUMN_KEY` AS `Key`, `COLUMN_DEFAULT` AS `Default`, `EXTRA` AS `Extra`, `COLUMN_COMMENT` AS `Comment` FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE TABLE_SCHEMA = 'it_info_shop' AND TABLE_NAME = 'shop_note_v' ORDER BY ORDINAL_POSITION;

-- source: client/mysqldump.c get_view_structure()
SELECT CHECK_OPTION, DEFINER, SECURITY_TYPE,        CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.views WHERE table_name='shop_note_v' AND table_schema='it_info_shop';

-- source: client/mysqldump.c dump_triggers_for_table()
SELECT TRIGGER_NAME FROM INFORMATION_SCHEMA.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'shop_note';

-- source: client/mysqldump.c dump_routines_for_db()
-- ignore: Modified, Created
SHOW FUNCTION STATUS WHERE Db = 'it_info_shop';

-- ignore: Modified, Created
SHOW PROCEDURE STATUS WHERE Db = 'it_info_shop';

-- source: client/mysqldump.c get_table_structure()
SHOW FIELDS FROM `shop_order`;

-- ignore: Cardinality
SHOW KEYS FROM `shop_order`;

-- ignore: Rows, Avg_row_length, Data_length, Max_data_length, Index_length, Data_free, Auto_increment, Create_time, Update_time, Check_time, Comment
show table status like 'shop\_order';
