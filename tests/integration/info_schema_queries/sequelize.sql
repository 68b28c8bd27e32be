-- Sequelize 6.37 (tests/integration/apps/package.json), mysql and mariadb dialects.
-- source: sequelize/lib/dialects/mysql/query-generator.js showTablesQuery(database)
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = 'it_info_shop';

-- source: sequelize/lib/dialects/mysql/query-generator.js showTablesQuery() without a database
-- rows-of: TABLE_SCHEMA
SELECT TABLE_NAME, TABLE_SCHEMA FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN ('MYSQL', 'INFORMATION_SCHEMA', 'PERFORMANCE_SCHEMA', 'SYS', 'mysql', 'information_schema', 'performance_schema', 'sys');

-- source: sequelize/lib/dialects/mariadb/query-generator.js showTablesQuery(database)
SELECT TABLE_NAME, TABLE_SCHEMA FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = 'it_info_shop';

-- source: sequelize/lib/dialects/mariadb/query-generator.js showSchemasQuery()
-- rows-of: schema_name
SELECT SCHEMA_NAME as schema_name FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME NOT IN ('MYSQL', 'INFORMATION_SCHEMA', 'PERFORMANCE_SCHEMA');

-- source: sequelize/lib/dialects/mysql/query-generator.js tableExistsQuery()
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME = 'shop_order' AND TABLE_SCHEMA = 'it_info_shop';

-- source: sequelize/lib/dialects/mysql/query-generator.js describeTableQuery()
SHOW FULL COLUMNS FROM `shop_order`;

SHOW FULL COLUMNS FROM `it_info_shop`.`shop_order_item`;

-- source: sequelize/lib/dialects/mysql/query-generator.js showIndexesQuery()
-- ignore: Cardinality
SHOW INDEX FROM `shop_order_item`;

-- source: sequelize/lib/dialects/mysql/query-generator.js showConstraintsQuery()
SELECT CONSTRAINT_CATALOG AS constraintCatalog, CONSTRAINT_NAME AS constraintName, CONSTRAINT_SCHEMA AS constraintSchema, CONSTRAINT_TYPE AS constraintType, TABLE_NAME AS tableName, TABLE_SCHEMA AS tableSchema from INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE table_name='shop_order_item';

-- source: sequelize/lib/dialects/mysql/query-generator.js getForeignKeysQuery()
SELECT CONSTRAINT_NAME as constraint_name,CONSTRAINT_NAME as constraintName,CONSTRAINT_SCHEMA as constraintSchema,CONSTRAINT_SCHEMA as constraintCatalog,TABLE_NAME as tableName,TABLE_SCHEMA as tableSchema,TABLE_SCHEMA as tableCatalog,COLUMN_NAME as columnName,REFERENCED_TABLE_SCHEMA as referencedTableSchema,REFERENCED_TABLE_SCHEMA as referencedTableCatalog,REFERENCED_TABLE_NAME as referencedTableName,REFERENCED_COLUMN_NAME as referencedColumnName FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE where TABLE_NAME = 'shop_order_item' AND CONSTRAINT_NAME!='PRIMARY' AND CONSTRAINT_SCHEMA='it_info_shop' AND REFERENCED_TABLE_NAME IS NOT NULL;

-- source: sequelize/lib/dialects/mysql/query-generator.js getForeignKeyQuery()
SELECT CONSTRAINT_NAME as constraint_name,CONSTRAINT_NAME as constraintName,CONSTRAINT_SCHEMA as constraintSchema,CONSTRAINT_SCHEMA as constraintCatalog,TABLE_NAME as tableName,TABLE_SCHEMA as tableSchema,TABLE_SCHEMA as tableCatalog,COLUMN_NAME as columnName,REFERENCED_TABLE_SCHEMA as referencedTableSchema,REFERENCED_TABLE_SCHEMA as referencedTableCatalog,REFERENCED_TABLE_NAME as referencedTableName,REFERENCED_COLUMN_NAME as referencedColumnName FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE (REFERENCED_TABLE_NAME = 'shop_order' AND REFERENCED_TABLE_SCHEMA = 'it_info_shop' AND REFERENCED_COLUMN_NAME = 'order_id') OR (TABLE_NAME = 'shop_order' AND TABLE_SCHEMA = 'it_info_shop' AND COLUMN_NAME = 'order_id' AND REFERENCED_TABLE_NAME IS NOT NULL);
