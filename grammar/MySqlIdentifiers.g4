// Plain and backquoted identifiers. Imported by MySqlLexer after MySqlKeywords so that keywords
// take precedence over identifiers of the same length.
lexer grammar MySqlIdentifiers;

// Unquoted identifiers may start with a digit but may not consist of digits only (the number
// rules, defined earlier, win on equal length: `1e5` is a number, `1col` an identifier).
IDENTIFIER: [a-zA-Z0-9_$\u0080-\u{10FFFF}]+;
BACKTICK_QUOTED_ID: '`' (~'`' | '``')* '`';
