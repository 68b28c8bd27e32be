// Data manipulation: SELECT (query expressions), INSERT, REPLACE, UPDATE, DELETE, LOAD DATA,
// CALL, DO, HANDLER.
parser grammar DML;

// ---- SELECT -----------------------------------------------------------------------------------
selectStatement
    : queryExpression lockingClause* intoClause? lockingClause*
    ;

queryExpression
    : withClause? queryBody orderByClause? limitClause?
    ;

// INTERSECT binds tighter than UNION and EXCEPT.
queryBody
    : queryBody INTERSECT setQuantifier? queryBody
    | queryBody (UNION | EXCEPT) setQuantifier? queryBody
    | queryPrimary
    ;

setQuantifier
    : ALL
    | DISTINCT
    ;

queryPrimary
    : querySpecification
    | LPAREN queryExpression lockingClause* RPAREN
    | TABLE tableName
    | VALUES rowConstructor (COMMA rowConstructor)*
    ;

rowConstructor
    : ROW? LPAREN exprList? RPAREN
    ;

querySpecification
    : SELECT selectOption* selectItems intoClause? fromClause? whereClause? groupByClause?
      havingClause? windowClause?
    ;

selectOption
    : ALL | DISTINCT | DISTINCTROW | HIGH_PRIORITY | STRAIGHT_JOIN | SQL_SMALL_RESULT
    | SQL_BIG_RESULT | SQL_BUFFER_RESULT | SQL_CACHE | SQL_NO_CACHE | SQL_CALC_FOUND_ROWS
    ;

selectItems
    : selectItem (COMMA selectItem)*
    ;

selectItem
    : STAR                                            # allColumns
    | identifier DOT (identifierAfterDot DOT)? STAR   # tableWildcard
    | expr (AS? alias)?                               # selectExprItem
    ;

intoClause
    : INTO OUTFILE textString charsetClause? fieldsClause? linesClause?
    | INTO DUMPFILE textString
    | INTO (variable | identifier) (COMMA (variable | identifier))*
    ;

withClause
    : WITH RECURSIVE? commonTableExpression (COMMA commonTableExpression)*
    ;

commonTableExpression
    : identifier (LPAREN identifierList RPAREN)? AS LPAREN queryExpression RPAREN
    ;

fromClause
    : FROM (DUAL | tableReferences)
    ;

tableReferences
    : tableReference (COMMA tableReference)*
    ;

tableReference
    : tableFactor joinedTable*
    | LBRACE identifier tableReference RBRACE   // ODBC { OJ ... }
    ;

tableFactor
    : tableName partitionNames? (AS? alias)? indexHint*
    | LATERAL? LPAREN queryExpression RPAREN AS? alias? (LPAREN identifierList RPAREN)?
    | LPAREN tableReferences RPAREN
    | jsonTable AS? alias
    ;

jsonTable
    : JSON_TABLE LPAREN expr COMMA textString jsonTableColumns RPAREN
    ;

jsonTableColumns
    : COLUMNS LPAREN jsonTableColumn (COMMA jsonTableColumn)* RPAREN
    ;

jsonTableColumn
    : identifier FOR ORDINALITY
    | identifier dataType EXISTS? PATH textString jsonTableOnError*
    | NESTED PATH? textString jsonTableColumns
    ;

jsonTableOnError
    : (NULL_SYM | ERROR | DEFAULT textString) ON (EMPTY | ERROR)
    ;

// The right side of a join is a table factor, so joins chain to the left: `a JOIN b ON x JOIN c
// ON y` is ((a, b), c). MySQL's nested form `a JOIN b JOIN c ON y ON x` needs parentheses here.
joinedTable
    : (INNER | CROSS)? JOIN tableFactor joinSpecification?
    | STRAIGHT_JOIN tableFactor (ON expr)?
    | (LEFT | RIGHT) OUTER? JOIN tableFactor joinSpecification
    | NATURAL (INNER | (LEFT | RIGHT) OUTER?)? JOIN tableFactor
    ;

joinSpecification
    : ON expr
    | USING LPAREN identifierList RPAREN
    ;

partitionNames
    : PARTITION LPAREN identifierList RPAREN
    ;

indexHint
    : (USE | IGNORE | FORCE) (INDEX | KEY) (FOR (JOIN | ORDER BY | GROUP BY))?
      LPAREN (identifier | PRIMARY) ? (COMMA (identifier | PRIMARY))* RPAREN
    ;

whereClause
    : WHERE expr
    ;

groupByClause
    : GROUP BY orderItem (COMMA orderItem)* (WITH ROLLUP)?
    ;

havingClause
    : HAVING expr
    ;

windowClause
    : WINDOW windowDefinition (COMMA windowDefinition)*
    ;

windowDefinition
    : identifier AS windowSpec
    ;

orderByClause
    : ORDER BY orderItem (COMMA orderItem)*
    ;

orderItem
    : expr (ASC | DESC)?
    ;

// LIMIT n, LIMIT m, n, LIMIT n OFFSET m.
limitClause
    : LIMIT limitValue ((COMMA | OFFSET) limitValue)?
    ;

limitValue
    : DECIMAL_LITERAL
    | PARAM_MARKER
    | identifier
    ;

lockingClause
    : FOR (UPDATE | SHARE) (OF tableNameList)? (NOWAIT | SKIP_SYM LOCKED | WAIT DECIMAL_LITERAL)?
    | LOCK IN SHARE MODE
    ;

// ---- INSERT / REPLACE -------------------------------------------------------------------------
insertStatement
    : INSERT (LOW_PRIORITY | DELAYED | HIGH_PRIORITY)? IGNORE? INTO? tableName partitionNames?
      insertSource onDuplicateKeyUpdate? returningClause?
    ;

// MariaDB 10.5: INSERT/REPLACE/DELETE ... RETURNING select list.
returningClause
    : RETURNING selectItems
    ;

replaceStatement
    : REPLACE (LOW_PRIORITY | DELAYED)? INTO? tableName partitionNames? insertSource
      returningClause?
    ;

insertSource
    : (LPAREN columnRefList? RPAREN)? (VALUES | VALUE) rowValues valuesAlias?
    | SET assignmentList valuesAlias?
    | (LPAREN columnRefList? RPAREN)? queryExpression
    | (LPAREN columnRefList? RPAREN)? LPAREN queryExpression RPAREN
    ;

rowValues
    : rowValue (COMMA rowValue)*
    ;

rowValue
    : ROW? LPAREN (expr (COMMA expr)*)? RPAREN
    ;

// MySQL 8.0.19 row alias: INSERT ... VALUES (...) AS new (a, b) ON DUPLICATE KEY UPDATE ...
valuesAlias
    : AS identifier (LPAREN identifierList RPAREN)?
    ;

onDuplicateKeyUpdate
    : ON DUPLICATE KEY UPDATE assignmentList
    ;

assignmentList
    : assignment (COMMA assignment)*
    ;

assignment
    : columnRef EQ expr
    ;

// ---- UPDATE / DELETE --------------------------------------------------------------------------
updateStatement
    : withClause? UPDATE LOW_PRIORITY? IGNORE? tableReferences SET assignmentList whereClause?
      orderByClause? limitClause?
    ;

deleteStatement
    : withClause? DELETE deleteOption* FROM tableName partitionNames? (AS? alias)? whereClause?
      orderByClause? limitClause? returningClause?                             # singleTableDelete
    | withClause? DELETE deleteOption* deleteTarget (COMMA deleteTarget)* FROM tableReferences
      whereClause?                                                             # multiTableDelete
    | withClause? DELETE deleteOption* FROM deleteTarget (COMMA deleteTarget)* USING
      tableReferences whereClause?                                             # multiTableDeleteUsing
    ;

deleteOption
    : LOW_PRIORITY
    | QUICK
    | IGNORE
    ;

deleteTarget
    : identifier (DOT identifierAfterDot)? (DOT STAR)?
    ;

// ---- LOAD DATA, CALL, DO, HANDLER -------------------------------------------------------------
loadStatement
    : LOAD (DATA | XML) (LOW_PRIORITY | CONCURRENT)? LOCAL? INFILE textString (REPLACE | IGNORE)?
      INTO TABLE tableName partitionNames? charsetClause? (ROWS IDENTIFIED BY textString)?
      fieldsClause? linesClause? (IGNORE DECIMAL_LITERAL (LINES | ROWS))?
      (LPAREN (columnRef | USER_VARIABLE) (COMMA (columnRef | USER_VARIABLE))* RPAREN)?
      (SET assignmentList)?
    ;

fieldsClause
    : (FIELDS | COLUMNS) fieldsOption+
    ;

fieldsOption
    : TERMINATED BY textString
    | OPTIONALLY? ENCLOSED BY textString
    | ESCAPED BY textString
    ;

linesClause
    : LINES (STARTING BY textString | TERMINATED BY textString)+
    ;

callStatement
    : CALL qualifiedName (LPAREN exprList? RPAREN)?
    ;

doStatement
    : DO functionArgs
    ;

importTableStatement
    : IMPORT TABLE FROM textString (COMMA textString)*
    ;

handlerStatement
    : HANDLER tableName OPEN (AS? alias)?
    | HANDLER identifier READ (identifier | FIRST | NEXT | PREV | LAST)? whereClause? limitClause?
    | HANDLER identifier CLOSE
    ;
