-- Django 3.2 (Debian python3-django), MySQL backend introspection (inspectdb, migrations).
-- source: django/db/backends/mysql/introspection.py get_table_list()
SHOW FULL TABLES;

-- source: django/db/backends/mysql/introspection.py get_table_description()
SELECT c.constraint_name AS column_name
FROM information_schema.check_constraints AS c
WHERE
    c.table_name = 'shop_order' AND
    LOWER(c.check_clause) = 'json_valid(`' + LOWER(c.constraint_name) + '`)' AND
    c.constraint_schema = DATABASE();

SELECT  table_collation
FROM    information_schema.tables
WHERE   table_schema = DATABASE()
AND     table_name = 'shop_order';

SELECT
    column_name, data_type, character_maximum_length,
    numeric_precision, numeric_scale, extra, column_default,
    CASE
        WHEN collation_name = 'utf8mb4_general_ci' THEN NULL
        ELSE collation_name
    END AS collation_name,
    CASE
        WHEN column_type LIKE '% unsigned' THEN 1
        ELSE 0
    END AS is_unsigned
FROM information_schema.columns
WHERE table_name = 'shop_order' AND table_schema = DATABASE();

SELECT
    column_name, data_type, character_maximum_length,
    numeric_precision, numeric_scale, extra, column_default,
    CASE
        WHEN collation_name = 'utf8mb4_general_ci' THEN NULL
        ELSE collation_name
    END AS collation_name,
    CASE
        WHEN column_type LIKE '% unsigned' THEN 1
        ELSE 0
    END AS is_unsigned
FROM information_schema.columns
WHERE table_name = 'shop_order_item' AND table_schema = DATABASE();

SELECT * FROM `shop_order_item` LIMIT 0;

-- source: django/db/backends/mysql/introspection.py get_key_columns()
SELECT column_name, referenced_table_name, referenced_column_name
FROM information_schema.key_column_usage
WHERE table_name = 'shop_order_item'
    AND table_schema = DATABASE()
    AND referenced_table_name IS NOT NULL
    AND referenced_column_name IS NOT NULL;

-- source: django/db/backends/mysql/introspection.py get_storage_engine()
SELECT engine FROM information_schema.tables WHERE table_name = 'shop_order';

-- source: django/db/backends/mysql/introspection.py get_constraints()
-- unordered (ordinal_position ties: each constraint's first column is 1)
SELECT kc.`constraint_name`, kc.`column_name`,
    kc.`referenced_table_name`, kc.`referenced_column_name`
FROM information_schema.key_column_usage AS kc
WHERE
    kc.table_schema = DATABASE() AND
    kc.table_name = 'shop_order_item'
ORDER BY kc.`ordinal_position`;

SELECT c.constraint_name, c.constraint_type
FROM information_schema.table_constraints AS c
WHERE
    c.table_schema = DATABASE() AND
    c.table_name = 'shop_order';

SELECT c.constraint_name, c.check_clause
FROM information_schema.check_constraints AS c
WHERE
    c.constraint_schema = DATABASE() AND
    c.table_name = 'shop_order';

-- ignore: Cardinality
SHOW INDEX FROM `shop_order`;
