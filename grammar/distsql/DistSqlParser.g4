// ShardingSphere's DistSQL statements the proxy knows (grammar/distsql/README.md). One
// statement a request, optionally ended by `;`. Names are bare, backquoted or quoted.
parser grammar DistSqlParser;

options { tokenVocab = DistSqlLexer; }

// A PREVIEW is decided by its keyword: the statement after it is MySQL (or DistSQL) text that
// the MySQL parser reads later from its offset, so the parser stops there and leaves it unread
// (and, as the token stream is filled lazily, unlexed but for a token or two).
root
    : preview
    | statement SEMI? EOF
    ;

preview: PREVIEW;

statement
    : setDistVariable
    | showDistVariable
    | showDistVariables
    | showStorageUnits
    | showShardingTableRules
    | showShardingTableRule
    | showBroadcastTableRules
    | showSingleTables
    | showSingleTable
    | showComputeNodes
    | showShardingAlgorithms
    | showDefaultShardingStrategy
    | showShardingKeyGenerators
    ;

// ---- the proxy's own variables (RAL) ------------------------------------------------------
setDistVariable: SET DIST? VARIABLE variableName EQ variableValue;
showDistVariable
    : SHOW DIST? VARIABLE variableName
    | SHOW DIST VARIABLE WHERE NAME EQ variableName
    ;
showDistVariables: SHOW DIST VARIABLES (LIKE likePattern)?;

// ---- rules and resources (RQL) ------------------------------------------------------------
showStorageUnits: SHOW STORAGE UNITS fromDatabase?;
showShardingTableRules: SHOW SHARDING TABLE RULES fromDatabase?;
showShardingTableRule: SHOW SHARDING TABLE RULE tableName fromDatabase?;
showBroadcastTableRules: SHOW BROADCAST TABLE RULES fromDatabase?;
showSingleTables: SHOW SINGLE TABLES fromDatabase? (LIKE likePattern)?;
showSingleTable: SHOW SINGLE TABLE tableName fromDatabase?;
showComputeNodes: SHOW COMPUTE NODES;
showShardingAlgorithms: SHOW SHARDING ALGORITHMS fromDatabase?;
showDefaultShardingStrategy: SHOW DEFAULT SHARDING STRATEGY fromDatabase?;
showShardingKeyGenerators: SHOW SHARDING KEY GENERATORS fromDatabase?;

fromDatabase: FROM databaseName;

// ---- names and values ---------------------------------------------------------------------
variableName: identifier | STRING;
variableValue: identifier | STRING | NUMBER;
databaseName: identifier;
tableName: identifier;
likePattern: STRING;

identifier: IDENTIFIER | BACKTICK_QUOTED_ID | keyword;
keyword
    : ALGORITHMS | BROADCAST | COMPUTE | DEFAULT | DIST | FROM | GENERATORS | KEY | LIKE | NAME
    | NODES | PREVIEW | RULE | RULES | SET | SHARDING | SHOW | SINGLE | STORAGE | STRATEGY | TABLE
    | TABLES | UNITS | VARIABLE | VARIABLES | WHERE
    ;
