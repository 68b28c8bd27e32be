-- Written for this test (not from a tool): joins, grouping and paging over information_schema.
-- source: test_information_schema.py (JOIN of TABLES with COLUMNS)
SELECT t.TABLE_NAME, t.TABLE_TYPE, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_KEY
FROM information_schema.TABLES t JOIN information_schema.COLUMNS c
  ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
WHERE t.TABLE_SCHEMA = 'it_info_shop'
ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION;

-- source: test_information_schema.py (GROUP BY TABLE_NAME with COUNT(*))
SELECT TABLE_NAME, COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'it_info_shop' GROUP BY TABLE_NAME ORDER BY TABLE_NAME;

SELECT INDEX_NAME, COUNT(*) AS cols, MAX(NON_UNIQUE) AS non_unique FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shop_order' GROUP BY INDEX_NAME ORDER BY INDEX_NAME;

-- source: test_information_schema.py (ORDER BY ... LIMIT)
SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'it_info_shop' ORDER BY TABLE_NAME DESC LIMIT 2;

SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'it_info_shop' ORDER BY TABLE_NAME LIMIT 2 OFFSET 1;

-- source: test_information_schema.py (KEY_COLUMN_USAGE joined with REFERENTIAL_CONSTRAINTS)
SELECT k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = 'it_info_shop';

-- source: test_information_schema.py (every table of the schema, one per kind)
SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'it_info_shop';

SELECT * FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = 'it_info_shop';

-- rows-of: SCHEMA_NAME
SELECT * FROM information_schema.SCHEMATA;

-- source: test_information_schema.py (SHOW statements tools send)
-- ignore: Comment
SHOW TABLE STATUS FROM `it_info_shop`;

-- ignore: Created
SHOW TRIGGERS FROM `it_info_shop`;

SHOW FULL TABLES;

SHOW CREATE TABLE `shop_order`;
