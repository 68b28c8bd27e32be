// Data definition: tables (columns, types, indexes, constraints, options, partitions), indexes,
// databases, views.
parser grammar DDL;

// ---- CREATE TABLE -----------------------------------------------------------------------------
createTableStatement
    : CREATE (OR REPLACE)? TEMPORARY? TABLE ifNotExists? tableName
      ( LPAREN tableElement (COMMA tableElement)* RPAREN tableOptions? partitionClause?
        duplicateAsQuery?
      | tableOptions? partitionClause? duplicateAsQuery
      | LIKE tableName
      | LPAREN LIKE tableName RPAREN
      )
    ;

duplicateAsQuery
    : (IGNORE | REPLACE)? AS? (queryExpression | LPAREN queryExpression RPAREN)
    ;

ifNotExists
    : IF NOT EXISTS
    ;

ifExists
    : IF EXISTS
    ;

tableElement
    : columnDefinition
    | tableConstraint
    | indexDefinition
    ;

columnDefinition
    : identifier dataType columnAttribute*
    ;

columnAttribute
    : NOT? NULL_SYM
    | DEFAULT (signedNumber | literal | LPAREN expr RPAREN | niladicFunction (LPAREN DECIMAL_LITERAL? RPAREN)? | identifier LPAREN exprList? RPAREN)
    | ON UPDATE (niladicFunction (LPAREN DECIMAL_LITERAL? RPAREN)? | identifier LPAREN exprList? RPAREN)
    | AUTO_INCREMENT
    | UNIQUE KEY?
    | PRIMARY? KEY
    | COMMENT textString
    | COLLATE collationName
    | (CHARACTER SET | CHARSET) charsetName
    | COLUMN_FORMAT (FIXED | DYNAMIC | DEFAULT)
    | STORAGE (DISK | MEMORY | DEFAULT)
    | (GENERATED ALWAYS)? AS LPAREN expr RPAREN (VIRTUAL | STORED | PERSISTENT)?
    | referenceDefinition
    | (CONSTRAINT identifier?)? CHECK LPAREN expr RPAREN (NOT? ENFORCED)?
    | SERIAL DEFAULT VALUE
    | VISIBLE
    | INVISIBLE
    | SRID DECIMAL_LITERAL
    | ENGINE_ATTRIBUTE EQ? textString
    ;

dataType
    : (TINYINT | SMALLINT | MEDIUMINT | MIDDLEINT | INT | INTEGER | BIGINT | INT1 | INT2 | INT3
      | INT4 | INT8) fieldLength? numberOption*
    | (REAL | DOUBLE PRECISION? | FLOAT | FLOAT4 | FLOAT8 | DECIMAL | DEC | NUMERIC | FIXED)
      precision? numberOption*
    | BIT fieldLength?
    | (BOOL | BOOLEAN | SERIAL)
    | (CHAR | CHARACTER | NCHAR | NATIONAL (CHAR | CHARACTER)) fieldLength? stringOption*
    | (VARCHAR | VARCHARACTER | CHARACTER VARYING | CHAR VARYING | NVARCHAR
      | NATIONAL (VARCHAR | CHARACTER VARYING | CHAR VARYING)) fieldLength stringOption*
    | BINARY fieldLength?
    | VARBINARY fieldLength
    | (DATE | DATETIME fieldLength? | TIME fieldLength? | TIMESTAMP fieldLength? | YEAR fieldLength?)
    | (TINYBLOB | BLOB fieldLength? | MEDIUMBLOB | LONGBLOB | LONG VARBINARY)
    | (TINYTEXT | TEXT fieldLength? | MEDIUMTEXT | LONGTEXT | LONG (VARCHAR | CHAR VARYING)?) stringOption*
    | (ENUM | SET) LPAREN textString (COMMA textString)* RPAREN stringOption*
    | JSON
    | (GEOMETRY | POINT | LINESTRING | POLYGON | MULTIPOINT | MULTILINESTRING | MULTIPOLYGON
      | GEOMETRYCOLLECTION | GEOMCOLLECTION)
    ;

numberOption
    : SIGNED
    | UNSIGNED
    | ZEROFILL
    ;

stringOption
    : BINARY
    | ASCII
    | UNICODE
    | BYTE
    | (CHARACTER SET | CHARSET) charsetName
    | COLLATE collationName
    ;

tableConstraint
    : (CONSTRAINT identifier?)? PRIMARY KEY indexType? keyParts indexOption*
    | (CONSTRAINT identifier?)? UNIQUE (INDEX | KEY)? identifier? indexType? keyParts indexOption*
    | (CONSTRAINT identifier?)? FOREIGN KEY identifier? keyParts referenceDefinition
    | (CONSTRAINT identifier?)? CHECK LPAREN expr RPAREN (NOT? ENFORCED)?
    ;

indexDefinition
    : (INDEX | KEY) identifier? indexType? keyParts indexOption*
    | (FULLTEXT | SPATIAL) (INDEX | KEY)? identifier? keyParts indexOption*
    ;

keyParts
    : LPAREN keyPart (COMMA keyPart)* RPAREN
    ;

keyPart
    : (identifier fieldLength? | LPAREN expr RPAREN) (ASC | DESC)?
    ;

indexType
    : USING (BTREE | HASH | RTREE)
    ;

indexOption
    : KEY_BLOCK_SIZE EQ? DECIMAL_LITERAL
    | indexType
    | WITH PARSER identifier
    | COMMENT textString
    | VISIBLE
    | INVISIBLE
    | (ENGINE_ATTRIBUTE | SECONDARY_ENGINE_ATTRIBUTE) EQ? textString
    ;

referenceDefinition
    : REFERENCES tableName keyParts? (MATCH (FULL | PARTIAL | SIMPLE))?
      (ON (DELETE | UPDATE) referenceOption)*
    ;

referenceOption
    : RESTRICT
    | CASCADE
    | SET NULL_SYM
    | SET DEFAULT
    | NO ACTION
    ;

tableOptions
    : tableOption (COMMA? tableOption)*
    ;

tableOption
    : ENGINE EQ? engineName
    | DEFAULT? (CHARACTER SET | CHARSET) EQ? (charsetName | DEFAULT)
    | DEFAULT? COLLATE EQ? (collationName | DEFAULT)
    | COMMENT EQ? textString
    | (DATA | INDEX) DIRECTORY EQ? textString
    | UNION EQ? LPAREN tableNameList? RPAREN
    | TABLESPACE EQ? identifier (STORAGE (DISK | MEMORY))?
    | identifier EQ? (identifier | textString | signedNumber | DEFAULT)
    ;

// ---- partitions ---------------------------------------------------------------------------
partitionClause
    : PARTITION BY partitionType (PARTITIONS DECIMAL_LITERAL)?
      (SUBPARTITION BY partitionType (SUBPARTITIONS DECIMAL_LITERAL)?)?
      (LPAREN partitionDefinition (COMMA partitionDefinition)* RPAREN)?
    ;

partitionType
    : LINEAR? HASH LPAREN expr RPAREN
    | LINEAR? KEY (ALGORITHM EQ DECIMAL_LITERAL)? LPAREN identifierList? RPAREN
    | (RANGE | LIST) (LPAREN expr RPAREN | COLUMNS LPAREN identifierList RPAREN)
    | SYSTEM_TIME (INTERVAL expr intervalUnit | LIMIT DECIMAL_LITERAL)?
    ;

partitionDefinition
    : PARTITION identifier
      (VALUES (LESS THAN (LPAREN partitionValue (COMMA partitionValue)* RPAREN | MAXVALUE)
              | IN LPAREN partitionValueList (COMMA partitionValueList)* RPAREN))?
      partitionOption*
      (LPAREN subpartitionDefinition (COMMA subpartitionDefinition)* RPAREN)?
    ;

partitionValue
    : MAXVALUE
    | expr
    ;

partitionValueList
    : LPAREN partitionValue (COMMA partitionValue)* RPAREN
    | partitionValue
    ;

subpartitionDefinition
    : SUBPARTITION identifier partitionOption*
    ;

partitionOption
    : STORAGE? ENGINE EQ? engineName
    | COMMENT EQ? textString
    | (DATA | INDEX) DIRECTORY EQ? textString
    | (MAX_ROWS | MIN_ROWS) EQ? DECIMAL_LITERAL
    | TABLESPACE EQ? identifier
    | NODEGROUP EQ? DECIMAL_LITERAL
    ;

// ---- ALTER TABLE ------------------------------------------------------------------------------
alterTableStatement
    : ALTER (ONLINE | IGNORE)? TABLE tableName
      (alterTableItem (COMMA alterTableItem)*)? partitionClause?
    ;

alterTableItem
    : tableOption (COMMA? tableOption)*
    | ADD COLUMN? ifNotExists? columnDefinition columnPosition?
    | ADD COLUMN? ifNotExists? LPAREN columnDefinition (COMMA columnDefinition)* RPAREN
    | ADD (tableConstraint | indexDefinition)
    | CHANGE COLUMN? ifExists? identifier columnDefinition columnPosition?
    | MODIFY COLUMN? ifExists? columnDefinition columnPosition?
    | DROP COLUMN? ifExists? identifier (RESTRICT | CASCADE)?
    | DROP (INDEX | KEY) ifExists? identifier
    | DROP PRIMARY KEY
    | DROP FOREIGN KEY identifier
    | DROP (CHECK | CONSTRAINT) identifier
    | ALTER COLUMN? identifier (SET DEFAULT (signedNumber | literal | LPAREN expr RPAREN) | DROP DEFAULT
                               | SET (VISIBLE | INVISIBLE))
    | ALTER (INDEX | KEY) identifier (VISIBLE | INVISIBLE)
    | ALTER (CHECK | CONSTRAINT) identifier NOT? ENFORCED
    | RENAME (TO | AS)? tableName
    | RENAME (INDEX | KEY) identifier TO identifier
    | RENAME COLUMN identifier TO identifier
    | ORDER BY orderItem (COMMA orderItem)*
    | CONVERT TO (CHARACTER SET | CHARSET) (charsetName | DEFAULT) (COLLATE collationName)?
    | (ENABLE | DISABLE) KEYS
    | (DISCARD | IMPORT) TABLESPACE
    | FORCE
    | ALGORITHM EQ? (DEFAULT | identifier)
    | LOCK EQ? (DEFAULT | identifier)
    | (WITH | WITHOUT) VALIDATION
    | ADD PARTITION LPAREN partitionDefinition (COMMA partitionDefinition)* RPAREN
    | ADD PARTITION PARTITIONS DECIMAL_LITERAL
    | DROP PARTITION identifierList
    | (TRUNCATE | ANALYZE | CHECK | OPTIMIZE | REBUILD | REPAIR | DISCARD | IMPORT) PARTITION
      (ALL | identifierList) TABLESPACE?
    | COALESCE PARTITION DECIMAL_LITERAL
    | REORGANIZE PARTITION identifierList INTO LPAREN partitionDefinition (COMMA partitionDefinition)* RPAREN
    | EXCHANGE PARTITION identifier WITH TABLE tableName ((WITH | WITHOUT) VALIDATION)?
    | REMOVE PARTITIONING
    | UPGRADE PARTITIONING
    ;

columnPosition
    : FIRST
    | AFTER identifier
    ;

// ---- DROP / TRUNCATE / RENAME TABLE -----------------------------------------------------------
dropTableStatement
    : DROP TEMPORARY? (TABLE | TABLES) ifExists? tableNameList (RESTRICT | CASCADE)?
    ;

truncateTableStatement
    : TRUNCATE TABLE? tableName
    ;

renameTableStatement
    : RENAME (TABLE | TABLES) tableName TO tableName (COMMA tableName TO tableName)*
    ;

// ---- indexes ----------------------------------------------------------------------------------
createIndexStatement
    : CREATE (OR REPLACE)? (ONLINE | OFFLINE)? (UNIQUE | FULLTEXT | SPATIAL)? INDEX ifNotExists?
      identifier indexType? ON
      tableName keyParts indexOption* algorithmOrLock*
    ;

dropIndexStatement
    : DROP (ONLINE | OFFLINE)? INDEX ifExists? identifier ON tableName algorithmOrLock*
    ;

algorithmOrLock
    : ALGORITHM EQ? (DEFAULT | identifier)
    | LOCK EQ? (DEFAULT | identifier)
    ;

// ---- databases --------------------------------------------------------------------------------
createDatabaseStatement
    : CREATE (DATABASE | SCHEMA) ifNotExists? identifier databaseOption*
    ;

alterDatabaseStatement
    : ALTER (DATABASE | SCHEMA) identifier? databaseOption+
    ;

dropDatabaseStatement
    : DROP (DATABASE | SCHEMA) ifExists? identifier
    ;

databaseOption
    : DEFAULT? (CHARACTER SET | CHARSET) EQ? (charsetName | DEFAULT)
    | DEFAULT? COLLATE EQ? (collationName | DEFAULT)
    | DEFAULT? ENCRYPTION EQ? textString
    | READ ONLY EQ? (DEFAULT | DECIMAL_LITERAL)
    | COMMENT EQ? textString
    ;

// ---- views ------------------------------------------------------------------------------------
createViewStatement
    : CREATE (OR REPLACE)? viewAttributes VIEW ifNotExists? qualifiedName
      (LPAREN identifierList RPAREN)? AS selectStatement viewCheckOption?
    ;

alterViewStatement
    : ALTER viewAttributes VIEW qualifiedName (LPAREN identifierList RPAREN)? AS selectStatement
      viewCheckOption?
    ;

viewAttributes
    : (ALGORITHM EQ (UNDEFINED | MERGE | TEMPTABLE))? (DEFINER EQ userName)?
      (SQL SECURITY (DEFINER | INVOKER))?
    ;

viewCheckOption
    : WITH (CASCADED | LOCAL)? CHECK OPTION
    ;

dropViewStatement
    : DROP VIEW ifExists? tableNameList (RESTRICT | CASCADE)?
    ;

// ---- tablespaces --------------------------------------------------------------------------
createTablespaceStatement
    : CREATE UNDO? TABLESPACE identifier tablespaceOption*
    ;

alterTablespaceStatement
    : ALTER UNDO? TABLESPACE identifier RENAME TO identifier
    | ALTER UNDO? TABLESPACE identifier tablespaceOption*
    ;

dropTablespaceStatement
    : DROP UNDO? TABLESPACE identifier (ENGINE EQ? engineName)?
    ;

tablespaceOption
    : (ADD | DROP) DATAFILE textString
    | USE LOGFILE GROUP identifier
    | ENGINE EQ? engineName
    | COMMENT EQ? textString
    | SET (ACTIVE | INACTIVE)
    | WAIT
    | identifier EQ? (identifier | textString | signedNumber)
    ;

// Loadable functions: CREATE [AGGREGATE] FUNCTION f RETURNS type SONAME 'lib.so'.
createLoadableFunctionStatement
    : CREATE AGGREGATE? FUNCTION ifNotExists? identifier RETURNS
      (STRING | INTEGER | REAL | DECIMAL | DEC) SONAME textString
    ;
