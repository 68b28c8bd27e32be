-- DBeaver, MySQL plug-in: the catalog readers (prepared-statement parameters filled in).
-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java TableCache.prepareLookupStatement()
SHOW FULL TABLES FROM `it_info_shop`;

SHOW FULL TABLES FROM `it_info_shop` LIKE 'shop_order';

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java TableCache.prepareChildrenStatement()
-- unordered (ORDINAL_POSITION ties across tables)
SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='it_info_shop' ORDER BY ORDINAL_POSITION;

SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='it_info_shop' AND TABLE_NAME='shop_order' ORDER BY ORDINAL_POSITION;

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java IndexCache.prepareObjectsStatement()
-- unordered
SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='it_info_shop' ORDER BY INDEX_NAME,SEQ_IN_INDEX;

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java ConstraintCache.prepareObjectsStatement()
-- unordered
SELECT kc.CONSTRAINT_NAME,kc.TABLE_NAME,kc.COLUMN_NAME,kc.ORDINAL_POSITION
FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE kc WHERE kc.TABLE_SCHEMA='it_info_shop' AND kc.REFERENCED_TABLE_NAME IS NULL
ORDER BY kc.CONSTRAINT_NAME,kc.ORDINAL_POSITION;

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java ProceduresCache.prepareLookupStatement()
SELECT * FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA='it_info_shop'
ORDER BY ROUTINE_NAME;

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java TriggerCache.prepareObjectsStatement()
-- ignore: Created
SHOW FULL TRIGGERS FROM `it_info_shop`;

-- source: plugins/org.jkiss.dbeaver.ext.mysql/src/org/jkiss/dbeaver/ext/mysql/model/MySQLCatalog.java EventCache.prepareObjectsStatement()
SELECT * FROM information_schema.EVENTS WHERE EVENT_SCHEMA='it_info_shop';
