// Administration: SET, USE, SHOW, DESCRIBE/EXPLAIN, KILL, table maintenance, FLUSH, RESET,
// prepared statements in SQL, plugins, HELP, BINLOG, key caches.
parser grammar DAL;

// ---- SET ----------------------------------------------------------------------------------------
setStatement
    : SET setItem (COMMA setItem)*
    ;

// MariaDB: SET STATEMENT max_statement_time = 1 FOR SELECT ...
setStatementFor
    : SET STATEMENT setItem (COMMA setItem)* FOR sqlStatement
    ;

setItem
    : (GLOBAL | SESSION | LOCAL | PERSIST | PERSIST_ONLY) identifier (DOT identifierAfterDot)?
      (EQ | ASSIGN) setValue
    | SYSTEM_VARIABLE (EQ | ASSIGN) setValue
    | USER_VARIABLE (EQ | ASSIGN) expr
    | NAMES (charsetName (COLLATE collationName)? | DEFAULT)
    | (CHARACTER SET | CHARSET) (charsetName | DEFAULT)
    | PASSWORD (FOR userName)? EQ (textString | PASSWORD LPAREN textString RPAREN)
    | identifier (DOT identifierAfterDot)? (EQ | ASSIGN) setValue
    ;

setValue
    : expr
    | ON
    | ALL
    | BINARY
    ;

useStatement
    : USE identifier
    ;

// ---- SHOW ---------------------------------------------------------------------------------------
showStatement
    : SHOW (DATABASES | SCHEMAS) showFilter?
    | SHOW EXTENDED? FULL? TABLES fromDatabase? showFilter?
    | SHOW EXTENDED? FULL? (COLUMNS | FIELDS) (FROM | IN) tableName fromDatabase? showFilter?
    | SHOW EXTENDED? (INDEX | INDEXES | KEYS) (FROM | IN) tableName fromDatabase? whereClause?
    | SHOW CREATE (TABLE | VIEW | PROCEDURE | FUNCTION | TRIGGER | EVENT) qualifiedName
    | SHOW CREATE (DATABASE | SCHEMA) (IF NOT EXISTS)? identifier
    | SHOW CREATE USER userName
    | SHOW TABLE STATUS fromDatabase? showFilter?
    | SHOW OPEN TABLES fromDatabase? showFilter?
    | SHOW (GLOBAL | SESSION | LOCAL)? (VARIABLES | STATUS) showFilter?
    | SHOW FULL? PROCESSLIST
    | SHOW (WARNINGS | ERRORS) limitClause?
    | SHOW COUNT LPAREN STAR RPAREN (WARNINGS | ERRORS)
    | SHOW STORAGE? ENGINES
    | SHOW ENGINE (identifier | ALL) (STATUS | MUTEX | LOGS)
    | SHOW (CHARSET | CHARACTER SET) showFilter?
    | SHOW COLLATION showFilter?
    | SHOW GRANTS (FOR userName (USING userNameList)?)?
    | SHOW FULL? (TRIGGERS | EVENTS) fromDatabase? showFilter?
    | SHOW (PROCEDURE | FUNCTION) STATUS showFilter?
    | SHOW (PROCEDURE | FUNCTION) CODE qualifiedName
    | SHOW PLUGINS
    | SHOW PRIVILEGES
    | SHOW (MASTER | BINARY) (STATUS | LOGS)
    | SHOW (SLAVE | REPLICA) HOSTS
    | SHOW (SLAVE | REPLICA) STATUS (FOR CHANNEL channelName)?
    | SHOW REPLICAS
    | SHOW (BINLOG | RELAYLOG) EVENTS (IN textString)? (FROM DECIMAL_LITERAL)? limitClause?
      (FOR CHANNEL channelName)?
    | SHOW PROFILES
    | SHOW PROFILE (profileType (COMMA profileType)*)? (FOR QUERY DECIMAL_LITERAL)? limitClause?
    ;

fromDatabase
    : (FROM | IN) identifier
    ;

showFilter
    : LIKE textString
    | WHERE expr
    ;

profileType
    : ALL | BLOCK IO | CONTEXT SWITCHES | CPU | IPC | MEMORY | PAGE FAULTS | SOURCE | SWAPS
    ;

// ---- DESCRIBE / EXPLAIN -------------------------------------------------------------------------
explainStatement
    : (EXPLAIN | DESCRIBE | DESC) tableName (columnRef | textString)?
    | (EXPLAIN | DESCRIBE | DESC) explainOption? explainableStatement
    | (EXPLAIN | DESCRIBE | DESC) explainOption? FOR CONNECTION DECIMAL_LITERAL
    ;

explainOption
    : EXTENDED
    | PARTITIONS
    | ANALYZE (FORMAT EQ identifier)?
    | FORMAT EQ identifier
    ;

explainableStatement
    : selectStatement
    | insertStatement
    | replaceStatement
    | updateStatement
    | deleteStatement
    ;

killStatement
    : KILL (CONNECTION | QUERY)? expr
    ;

// ---- table maintenance ----------------------------------------------------------------------
tableMaintenanceStatement
    : ANALYZE (NO_WRITE_TO_BINLOG | LOCAL)? (TABLE | TABLES) tableNameList histogramClause?
    | OPTIMIZE (NO_WRITE_TO_BINLOG | LOCAL)? (TABLE | TABLES) tableNameList
    | REPAIR (NO_WRITE_TO_BINLOG | LOCAL)? (TABLE | TABLES) tableNameList
      (QUICK | EXTENDED | USE_FRM)*
    | CHECK (TABLE | TABLES) tableNameList checkOption*
    | CHECKSUM (TABLE | TABLES) tableNameList (QUICK | EXTENDED)?
    ;

histogramClause
    : UPDATE HISTOGRAM ON identifierList (WITH DECIMAL_LITERAL BUCKETS)?
    | DROP HISTOGRAM ON identifierList
    ;

checkOption
    : FOR UPGRADE | QUICK | FAST | MEDIUM | EXTENDED | CHANGED
    ;

flushStatement
    : FLUSH (NO_WRITE_TO_BINLOG | LOCAL)? flushOption (COMMA flushOption)*
    | FLUSH (NO_WRITE_TO_BINLOG | LOCAL)? (TABLE | TABLES) tableNameList?
      (WITH READ LOCK | FOR EXPORT)?
    ;

flushOption
    : (BINARY | ENGINE | ERROR | GENERAL | RELAY | SLOW)? LOGS
    | HOSTS | PRIVILEGES | OPTIMIZER_COSTS | STATUS | USER_RESOURCES | QUERY CACHE
    | TABLES WITH READ LOCK
    ;

resetStatement
    : RESET resetOption (COMMA resetOption)*
    | RESET PERSIST (IF EXISTS)? identifier?
    ;

resetOption
    : MASTER (TO DECIMAL_LITERAL)?
    | (SLAVE | REPLICA) ALL? (FOR CHANNEL channelName)?
    | QUERY CACHE
    ;

// ---- prepared statements in SQL -----------------------------------------------------------
prepareStatement
    : PREPARE identifier FROM (textString | USER_VARIABLE)
    ;

executeStatement
    : EXECUTE identifier (USING USER_VARIABLE (COMMA USER_VARIABLE)*)?
    ;

deallocateStatement
    : (DEALLOCATE | DROP) PREPARE identifier
    ;

// ---- plugins, help, binlog, key caches -----------------------------------------------------
installStatement
    : INSTALL PLUGIN identifier SONAME textString
    | INSTALL SONAME textString
    | INSTALL COMPONENT textString (COMMA textString)*
    ;

uninstallStatement
    : UNINSTALL PLUGIN identifier
    | UNINSTALL SONAME textString
    | UNINSTALL COMPONENT textString (COMMA textString)*
    ;

// SHUTDOWN [WAIT FOR ALL SLAVES | REPLICAS] (MariaDB)
shutdownStatement
    : SHUTDOWN (WAIT FOR ALL (SLAVES | REPLICAS))?
    ;

helpStatement
    : HELP textString
    ;

binlogStatement
    : BINLOG textString
    ;

cacheIndexStatement
    : CACHE INDEX cacheIndexTable (COMMA cacheIndexTable)* IN identifier
    | CACHE INDEX tableName PARTITION LPAREN (ALL | identifierList) RPAREN cacheIndexKeys? IN identifier
    ;

cacheIndexTable
    : tableName cacheIndexKeys?
    ;

cacheIndexKeys
    : (INDEX | KEY) LPAREN identifierList RPAREN
    ;

loadIndexStatement
    : LOAD INDEX INTO CACHE loadIndexTable (COMMA loadIndexTable)*
    ;

loadIndexTable
    : tableName (PARTITION LPAREN (ALL | identifierList) RPAREN)? cacheIndexKeys? (IGNORE LEAVES)?
    ;

// ---- resource groups ----------------------------------------------------------------------
createResourceGroupStatement
    : CREATE RESOURCE GROUP identifier TYPE EQ? (SYSTEM | USER) resourceGroupOption*
    ;

alterResourceGroupStatement
    : ALTER RESOURCE GROUP identifier resourceGroupOption* FORCE?
    ;

dropResourceGroupStatement
    : DROP RESOURCE GROUP identifier FORCE?
    ;

setResourceGroupStatement
    : SET RESOURCE GROUP identifier (FOR DECIMAL_LITERAL (COMMA DECIMAL_LITERAL)*)?
    ;

resourceGroupOption
    : VCPU EQ? vcpuRange (COMMA? vcpuRange)*
    | THREAD_PRIORITY EQ? signedNumber
    | ENABLE
    | DISABLE
    ;

vcpuRange
    : DECIMAL_LITERAL (MINUS DECIMAL_LITERAL)?
    ;

// ---- CLONE ------------------------------------------------------------------------------------
cloneStatement
    : CLONE LOCAL DATA DIRECTORY EQ? textString
    | CLONE INSTANCE FROM userName COLON DECIMAL_LITERAL IDENTIFIED BY textString
      (DATA DIRECTORY EQ? textString)? (REQUIRE NO? SSL)?
    ;

// ---- replication (passed through to a backend, never routed by sharding rules) ---------------
replicationStatement
    : CHANGE (MASTER | REPLICATION SOURCE) TO replicationOption (COMMA replicationOption)*
      (FOR CHANNEL channelName)?
    | CHANGE REPLICATION FILTER replicationOption (COMMA replicationOption)*
      (FOR CHANNEL channelName)?
    | START (SLAVE | REPLICA) (replicationThread (COMMA replicationThread)*)?
      (UNTIL replicationOption (COMMA replicationOption)*)? replicationOption* (FOR CHANNEL channelName)?
    | STOP (SLAVE | REPLICA) (replicationThread (COMMA replicationThread)*)? (FOR CHANNEL channelName)?
    | (START | STOP) GROUP_REPLICATION
    | PURGE (BINARY | MASTER) LOGS (TO textString | BEFORE expr)
    ;

replicationThread
    : IO_THREAD
    | SQL_THREAD
    ;

replicationOption
    : identifier (EQ (expr | LPAREN exprList? RPAREN))?
    ;

channelName
    : identifier
    | textString
    ;
