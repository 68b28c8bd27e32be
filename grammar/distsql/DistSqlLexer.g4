// Lexer of ShardingSphere's DistSQL as the proxy reads it (grammar/distsql/README.md). Its
// whitespace, comments, strings and identifiers follow MySQL's (grammar/MySqlLexer.g4), and it
// never fails: a character no other rule takes is an ANY token, so the statement after PREVIEW,
// which the MySQL parser reads later, lexes whatever it contains.
lexer grammar DistSqlLexer;

// ---- whitespace and comments (hidden: the parser never sees them) -----------------------------
WHITESPACE: [ \t\r\n\f\u000B]+ -> channel(HIDDEN);
// Every `/* ... */` is a comment here, executable ones (`/*! ... */`) included: DistSQL has no
// version-gated syntax.
BLOCK_COMMENT: '/*' .*? '*/' -> channel(HIDDEN);
// `--` starts a comment only when followed by whitespace, a control character or the end.
LINE_COMMENT
    : ( '--' [ \t\f\u000B] ~[\r\n]*
      | '--' ('\r'? '\n' | EOF)
      | '#' ~[\r\n]*
      ) -> channel(HIDDEN)
    ;

// ---- punctuation ---------------------------------------------------------------------------
EQ: '=';
SEMI: ';';

// ---- keywords (case-insensitive through the letter fragments) ----------------------------------
// Defined before IDENTIFIER so that a keyword wins over an identifier of the same length. Every
// keyword is also a name (parser rule `keyword`): DistSQL reserves none.
ALGORITHMS: A L G O R I T H M S;
BROADCAST: B R O A D C A S T;
COMPUTE: C O M P U T E;
DEFAULT: D E F A U L T;
DIST: D I S T;
FROM: F R O M;
GENERATORS: G E N E R A T O R S;
KEY: K E Y;
LIKE: L I K E;
NAME: N A M E;
NODES: N O D E S;
PREVIEW: P R E V I E W;
RULE: R U L E;
RULES: R U L E S;
SET: S E T;
SHARDING: S H A R D I N G;
SHOW: S H O W;
SINGLE: S I N G L E;
STORAGE: S T O R A G E;
STRATEGY: S T R A T E G Y;
TABLE: T A B L E;
TABLES: T A B L E S;
UNITS: U N I T S;
VARIABLE: V A R I A B L E;
VARIABLES: V A R I A B L E S;
WHERE: W H E R E;

// ---- literals and names --------------------------------------------------------------------
// Quoted strings: backslash escapes and doubled quotes, as MySQL reads them.
STRING: '\'' ('\\' . | '\'\'' | ~['\\])* '\'' | '"' ('\\' . | '""' | ~["\\])* '"';
NUMBER: DIGIT+ ('.' DIGIT*)? | '.' DIGIT+;
// Unquoted identifiers may start with a digit but may not consist of digits only (NUMBER,
// defined earlier, wins on equal length).
IDENTIFIER: [a-zA-Z0-9_$\u0080-\u{10FFFF}]+;
BACKTICK_QUOTED_ID: '`' (~'`' | '``')* '`';

// Anything else (operators, an unterminated quote or comment, ...): one character a token.
ANY: .;

fragment DIGIT: [0-9];
fragment A: [aA]; fragment B: [bB]; fragment C: [cC]; fragment D: [dD]; fragment E: [eE];
fragment F: [fF]; fragment G: [gG]; fragment H: [hH]; fragment I: [iI]; fragment J: [jJ];
fragment K: [kK]; fragment L: [lL]; fragment M: [mM]; fragment N: [nN]; fragment O: [oO];
fragment P: [pP]; fragment Q: [qQ]; fragment R: [rR]; fragment S: [sS]; fragment T: [tT];
fragment U: [uU]; fragment V: [vV]; fragment W: [wW]; fragment X: [xX]; fragment Y: [yY];
fragment Z: [zZ];
