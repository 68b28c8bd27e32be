// Literals, identifiers and names.
parser grammar Literals;

literal
    : stringLiteral
    | numberLiteral
    | hexLiteral
    | bitLiteral
    | booleanLiteral
    | nullLiteral
    | temporalLiteral
    ;

// Adjacent quoted strings concatenate ('a' 'b' is 'ab').
stringLiteral
    : CHARSET_INTRODUCER? textString+
    | NATIONAL_STRING textString*
    ;

textString
    : SINGLE_QUOTED_STRING
    | DOUBLE_QUOTED_STRING
    ;

numberLiteral
    : DECIMAL_LITERAL
    | REAL_LITERAL
    ;

signedNumber
    : (PLUS | MINUS)? numberLiteral
    ;

hexLiteral
    : CHARSET_INTRODUCER? HEX_LITERAL
    ;

bitLiteral
    : CHARSET_INTRODUCER? BIT_LITERAL
    ;

booleanLiteral
    : TRUE_SYM
    | FALSE_SYM
    ;

nullLiteral
    : NULL_SYM
    ;

// DATE '2020-01-01', TIME '10:00', TIMESTAMP '2020-01-01 10:00'.
temporalLiteral
    : (DATE | TIME | TIMESTAMP) textString
    ;

// ---- identifiers ------------------------------------------------------------------------------
// A double-quoted identifier (ANSI_QUOTES) comes from the lexer as a BACKTICK_QUOTED_ID.
identifier
    : IDENTIFIER
    | BACKTICK_QUOTED_ID
    | nonReservedKeyword
    ;

// After a dot any word is a name, even a reserved one (t.order, db.select).
identifierAfterDot
    : identifier
    | reservedKeyword
    ;

identifierList
    : identifier (COMMA identifier)*
    ;

// [schema.]table
tableName
    : identifier (DOT identifierAfterDot)?
    ;

tableNameList
    : tableName (COMMA tableName)*
    ;

// [[schema.]table.]column
columnRef
    : identifier (DOT identifierAfterDot (DOT identifierAfterDot)?)?
    ;

columnRefList
    : columnRef (COMMA columnRef)*
    ;

// [schema.]name for views, procedures, functions.
qualifiedName
    : identifier (DOT identifierAfterDot)?
    ;

alias
    : identifier
    | textString
    ;

charsetName
    : identifier
    | textString
    | BINARY
    | CHARSET_INTRODUCER
    ;

collationName
    : identifier
    | textString
    | BINARY
    ;

engineName
    : identifier
    | textString
    ;

// 'user'@'host', user@host, CURRENT_USER[()].
userName
    : (identifier | textString) (USER_VARIABLE | AT_SIGN (identifier | textString))?
    | CURRENT_USER (LPAREN RPAREN)?
    ;

userNameList
    : userName (COMMA userName)*
    ;

variable
    : USER_VARIABLE
    | SYSTEM_VARIABLE
    ;

// MySQL also accepts a decimal length (and truncates it).
fieldLength
    : LPAREN (DECIMAL_LITERAL | REAL_LITERAL) RPAREN
    ;

precision
    : LPAREN DECIMAL_LITERAL (COMMA DECIMAL_LITERAL)? RPAREN
    ;

intervalUnit
    : MICROSECOND | SECOND | MINUTE | HOUR | DAY | WEEK | MONTH | QUARTER | YEAR
    | SECOND_MICROSECOND | MINUTE_MICROSECOND | MINUTE_SECOND | HOUR_MICROSECOND | HOUR_SECOND
    | HOUR_MINUTE | DAY_MICROSECOND | DAY_SECOND | DAY_MINUTE | DAY_HOUR | YEAR_MONTH
    ;
