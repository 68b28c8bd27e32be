// Expressions with MySQL's operator precedence. The layering follows MySQL's own grammar:
// expr (logical operators) > boolPrimary (comparisons, IS NULL) > predicate (IN, BETWEEN, LIKE,
// REGEXP) > bitExpr (arithmetic and bit operators) > simpleExpr (operands, unary operators).
// Within a left-recursive rule, earlier alternatives bind tighter.
parser grammar Expressions;

expr
    : NOT expr                                               # notExpr
    | expr (AND | LOGICAL_AND) expr                          # andExpr
    | expr XOR expr                                          # xorExpr
    | expr (OR | LOGICAL_OR) expr                            # orExpr
    | boolPrimary                                            # primaryExpr
    ;

// MySQL puts `IS [NOT] TRUE|FALSE|UNKNOWN` one level up, on expr; keeping it next to IS NULL
// gives the same trees for all but contrived input and keeps SLL prediction conflict-free.
boolPrimary
    : boolPrimary IS NOT? (NULL_SYM | TRUE_SYM | FALSE_SYM | UNKNOWN)          # isPrimary
    | boolPrimary comparisonOperator (ALL | ANY | SOME) LPAREN queryExpression RPAREN
                                                                               # quantifiedComparison
    | boolPrimary comparisonOperator predicate                                 # comparison
    | predicate                                                                # predicatePrimary
    ;

comparisonOperator
    : EQ | NULL_SAFE_EQ | GE | GT | LE | LT | NE | NE2
    ;

// The operand is parsed once and the operator decides which predicate it is: choosing among
// `bitExpr NOT? IN ...`, `bitExpr NOT? LIKE ...` alternatives would make prediction scan the
// whole operand and fall back to full LL for `a NOT LIKE b`.
predicate
    : bitExpr predicateOperation?
    ;

predicateOperation
    : NOT? IN LPAREN (queryExpression | exprList) RPAREN              # inPredicate
    | MEMBER OF? LPAREN simpleExpr RPAREN                             # memberOfPredicate
    | NOT? BETWEEN bitExpr AND predicate                              # betweenPredicate
    | SOUNDS LIKE bitExpr                                             # soundsLikePredicate
    | NOT? LIKE bitExpr (ESCAPE simpleExpr)?                          # likePredicate
    | NOT? (REGEXP | RLIKE) bitExpr                                   # regexpPredicate
    ;

bitExpr
    : bitExpr BIT_XOR bitExpr                                         # bitXorExpr
    | bitExpr (STAR | SLASH | PERCENT | DIV | MOD) bitExpr            # mulExpr
    | bitExpr (PLUS | MINUS) INTERVAL expr intervalUnit               # intervalAddExpr
    | bitExpr (PLUS | MINUS) bitExpr                                  # addExpr
    | bitExpr (SHIFT_LEFT | SHIFT_RIGHT) bitExpr                      # shiftExpr
    | bitExpr BIT_AND bitExpr                                         # bitAndExpr
    | bitExpr BIT_OR bitExpr                                          # bitOrExpr
    | simpleExpr                                                      # simpleBitExpr
    ;

simpleExpr
    : simpleExpr COLLATE collationName                                # collateExpr
    | simpleExpr (JSON_EXTRACT | JSON_UNQUOTE_EXTRACT) textString     # jsonExtractExpr
    | literal                                                         # literalExpr
    | PARAM_MARKER                                                    # paramMarkerExpr
    | USER_VARIABLE ASSIGN expr                                       # assignExpr
    | variable                                                        # variableExpr
    | functionCall                                                    # functionCallExpr
    | columnRef                                                       # columnRefExpr
    | (PLUS | MINUS | BIT_NOT) simpleExpr                             # unaryExpr
    | NOT_OP simpleExpr                                               # logicalNotExpr
    | BINARY simpleExpr                                               # binaryExpr
    | ROW LPAREN expr (COMMA expr)+ RPAREN                            # rowExpr
    | LPAREN queryExpression RPAREN                                   # subqueryExpr
    | LPAREN expr (COMMA expr)* RPAREN                                # parenExpr
    | EXISTS LPAREN queryExpression RPAREN                            # existsExpr
    | LBRACE identifier expr RBRACE                                   # odbcExpr
    | MATCH LPAREN columnRefList RPAREN AGAINST LPAREN bitExpr fulltextModifier? RPAREN
                                                                      # matchExpr
    | caseExpression                                                  # caseExpr
    | INTERVAL expr intervalUnit PLUS bitExpr                         # intervalExpr
    | DEFAULT (LPAREN columnRef RPAREN)?                              # defaultExpr
    | (NEXT | PREVIOUS) VALUE FOR tableName                           # sequenceExpr
    ;

exprList
    : expr (COMMA expr)*
    ;

fulltextModifier
    : IN NATURAL LANGUAGE MODE (WITH QUERY EXPANSION)?
    | IN BOOLEAN MODE
    | WITH QUERY EXPANSION
    ;

caseExpression
    : CASE expr? (WHEN expr THEN expr)+ (ELSE expr)? END
    ;

// ---- function calls ---------------------------------------------------------------------------
functionCall
    : specialFunction
    | niladicFunction
    | functionName LPAREN (ALL | DISTINCT)? (STAR | functionArgs)? orderByClause?
      (SEPARATOR textString)? RPAREN overClause?
    ;

functionArgs
    : functionArg (COMMA functionArg)*
    ;

functionArg
    : expr (AS alias)?
    ;

// Reserved words that are also function names.
functionName
    : identifier (DOT identifierAfterDot)?
    | IF | LEFT | RIGHT | REPLACE | INSERT | MOD | DATABASE | SCHEMA | REPEAT | VALUES | CHAR
    | CURRENT_USER | CURRENT_DATE | CURRENT_TIME | CURRENT_TIMESTAMP | LOCALTIME | LOCALTIMESTAMP
    | UTC_DATE | UTC_TIME | UTC_TIMESTAMP | INTERVAL
    ;

// Functions callable without parentheses.
niladicFunction
    : (CURRENT_DATE | CURRENT_TIME | CURRENT_TIMESTAMP | LOCALTIME | LOCALTIMESTAMP | UTC_DATE
      | UTC_TIME | UTC_TIMESTAMP | CURRENT_USER)
    ;

// Functions whose arguments are not a plain expression list.
specialFunction
    : CAST LPAREN expr AS castType ARRAY? RPAREN
    | CONVERT LPAREN expr COMMA castType RPAREN
    | CONVERT LPAREN expr USING charsetName RPAREN
    | CHAR LPAREN exprList (USING charsetName)? RPAREN
    | EXTRACT LPAREN intervalUnit FROM expr RPAREN
    | TRIM LPAREN ((BOTH | LEADING | TRAILING) expr? FROM)? expr RPAREN
    | TRIM LPAREN expr FROM expr RPAREN
    | POSITION LPAREN bitExpr IN expr RPAREN
    | (SUBSTRING | SUBSTR | MID) LPAREN expr FROM expr (FOR expr)? RPAREN
    | (DATE_ADD | DATE_SUB | ADDDATE | SUBDATE) LPAREN expr COMMA INTERVAL expr intervalUnit RPAREN
    | (TIMESTAMPADD | TIMESTAMPDIFF) LPAREN intervalUnit COMMA expr COMMA expr RPAREN
    | WEIGHT_STRING LPAREN expr (AS (CHAR | BINARY) fieldLength)? RPAREN
    | GET_FORMAT LPAREN (DATE | TIME | DATETIME | TIMESTAMP) COMMA expr RPAREN
    ;

castType
    : BINARY fieldLength?
    | (CHAR | CHARACTER) fieldLength? charsetClause?
    | NCHAR fieldLength?
    | DATE
    | DATETIME fieldLength?
    | TIME fieldLength?
    | TIMESTAMP fieldLength?
    | (DECIMAL | DEC | NUMERIC) precision?
    | SIGNED (INTEGER | INT)?
    | UNSIGNED (INTEGER | INT)?
    | (INTEGER | INT)
    | JSON
    | DOUBLE PRECISION?
    | FLOAT precision?
    | REAL
    | YEAR
    ;

charsetClause
    : (CHARACTER SET | CHARSET) charsetName
    | ASCII
    | UNICODE
    ;

// ---- window functions -------------------------------------------------------------------------
overClause
    : OVER (identifier | windowSpec)
    ;

windowSpec
    : LPAREN identifier? (PARTITION BY exprList)? orderByClause? frameClause? RPAREN
    ;

frameClause
    : (ROWS | RANGE | GROUPS) (frameBound | BETWEEN frameBound AND frameBound)
      (EXCLUDE (CURRENT ROW | GROUP | TIES | NO OTHERS))?
    ;

frameBound
    : UNBOUNDED (PRECEDING | FOLLOWING)
    | CURRENT ROW
    | bitExpr (PRECEDING | FOLLOWING)
    | INTERVAL expr intervalUnit (PRECEDING | FOLLOWING)
    ;
