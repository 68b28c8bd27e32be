// MySQL 8.0 / MariaDB 10.11 lexer. Keywords live in MySqlKeywords.g4 and plain identifiers in
// MySqlIdentifiers.g4; both are imported so that their rules come after these ones, which makes a
// keyword win over an identifier of the same length (ANTLR prefers the rule defined first).
lexer grammar MySqlLexer;

import MySqlKeywords, MySqlIdentifiers;

// The session's sql_mode as it changes lexing (parser.h LexMode), set before the first token is
// read. The predicates that read these flags sit after a quote or a backslash, never at the start
// of a rule, so the lexer's cached DFA still serves every other token.
@lexer::members {
  bool ansiQuotes = false;        // ANSI_QUOTES: "x" is an identifier, not a string
  bool backslashEscapes = true;   // false under NO_BACKSLASH_ESCAPES: `\` is an ordinary character
}

// ---- whitespace and comments ------------------------------------------------------------------
// Comments go to the hidden channel so that later stages (hints, SHARDINGSPHERE_HINT) can read
// them from the token stream without the parser seeing them.
WHITESPACE: [ \t\r\n\f\u000B]+ -> skip;

// Executable comments `/*! ... */`, `/*!50700 ... */` and MariaDB's `/*M! ... */`: the server
// runs their content, so only the markers are dropped and the content is lexed as ordinary SQL.
EXEC_COMMENT_OPEN: '/*' [mM]? '!' [0-9]* -> skip;
EXEC_COMMENT_CLOSE: '*/' -> skip;

// Optimizer hints `/*+ ... */`.
HINT_COMMENT: '/*+' .*? '*/' -> channel(HIDDEN);
BLOCK_COMMENT
    : ('/**/' | '/*' ~[!+mM] .*? '*/' | '/*' [mM] '*/' | '/*' [mM] ~[!] .*? '*/') -> channel(HIDDEN)
    ;
// `--` starts a comment only when followed by whitespace or a control character (or at the end).
// Like the server, a line comment runs to '\n' (or a NUL byte): a '\r' does not end it.
LINE_COMMENT
    : ( '--' '\n'
      | '--' [\u0001-\u0009\u000B-\u0020\u007F] ~[\n\u0000]*
      | '--' EOF
      | '#' ~[\n\u0000]*
      ) -> channel(HIDDEN)
    ;

// ---- operators and punctuation --------------------------------------------------------------
ASSIGN: ':=';
NULL_SAFE_EQ: '<=>';
JSON_UNQUOTE_EXTRACT: '->>';
JSON_EXTRACT: '->';
LOGICAL_AND: '&&';
LOGICAL_OR: '||';
SHIFT_LEFT: '<<';
SHIFT_RIGHT: '>>';
LE: '<=';
GE: '>=';
NE: '<>';
NE2: '!=';
EQ: '=';
LT: '<';
GT: '>';
NOT_OP: '!';
BIT_NOT: '~';
BIT_XOR: '^';
BIT_AND: '&';
BIT_OR: '|';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
DOT: '.';
COMMA: ',';
SEMI: ';';
COLON: ':';
LPAREN: '(';
RPAREN: ')';
LBRACE: '{';
RBRACE: '}';
PARAM_MARKER: '?';

// ---- literals -----------------------------------------------------------------------------------
// Quoted strings: doubled quotes, and backslash escapes unless NO_BACKSLASH_ESCAPES. Under
// ANSI_QUOTES a double-quoted text is an identifier (no backslash escapes), as a backquoted one.
SINGLE_QUOTED_STRING: '\'' (STRING_ESCAPE | '\'\'' | ~['\\])* '\'';
DOUBLE_QUOTED_STRING: '"' {!ansiQuotes}? (STRING_ESCAPE | '""' | ~["\\])* '"';
DOUBLE_QUOTED_ID: '"' {ansiQuotes}? (~'"' | '""')* '"' -> type(BACKTICK_QUOTED_ID);
NATIONAL_STRING: [nN] '\'' (STRING_ESCAPE | '\'\'' | ~['\\])* '\'';
fragment STRING_ESCAPE: '\\' {backslashEscapes}? . | '\\' {!backslashEscapes}?;

HEX_LITERAL: [xX] '\'' [0-9a-fA-F]* '\'' | '0x' [0-9a-fA-F]+;
BIT_LITERAL: [bB] '\'' [01]* '\'' | '0b' [01]+;

// Character set introducers (`_utf8mb4'x'`, `_binary 0x41`). Only known character set names, so
// that identifiers such as `_id` stay identifiers.
CHARSET_INTRODUCER
    : '_' ( A R M S C I I '8' | A S C I I | B I G '5' | B I N A R Y | C P '1250' | C P '1251'
          | C P '1256' | C P '1257' | C P '850' | C P '852' | C P '866' | C P '932' | D E C '8'
          | E U C J P M S | E U C K R | G B '18030' | G B '2312' | G B K | G E O S T D '8'
          | G R E E K | H E B R E W | H P '8' | K E Y B C S '2' | K O I '8' R | K O I '8' U
          | L A T I N '1' | L A T I N '2' | L A T I N '5' | L A T I N '7' | M A C C E
          | M A C R O M A N | S J I S | S W E '7' | T I S '620' | U C S '2' | U J I S | U T F '16'
          | U T F '16' L E | U T F '32' | U T F '8' | U T F '8' M B '3' | U T F '8' M B '4'
          )
    ;

DECIMAL_LITERAL: DIGIT+;
REAL_LITERAL
    : DIGIT* '.' DIGIT+ EXPONENT?
    | DIGIT+ '.' DIGIT* EXPONENT?
    | DIGIT+ EXPONENT
    ;

// ---- variables ------------------------------------------------------------------------------------
// `@@session.sql_mode`, `@@global.x`, `@@x`.
// `@@global.default.key_buffer_size`: structured variables have one more component.
SYSTEM_VARIABLE: '@@' ID_CHAR+ ('.' (ID_CHAR+ | BACKTICK_QUOTED_ID))*;
// `@v`, `@'v'`, `@"v"`, @`v`; also the host part of an account name (`'u'@'%'`, `root@localhost`).
USER_VARIABLE
    : '@' ( [a-zA-Z0-9_$.\u0080-\u{10FFFF}]+
          | '\'' (STRING_ESCAPE | '\'\'' | ~['\\])* '\''
          | '"' {!ansiQuotes}? (STRING_ESCAPE | '""' | ~["\\])* '"'
          | '"' {ansiQuotes}? (~'"' | '""')* '"'
          | BACKTICK_QUOTED_ID
          )
    ;
AT_SIGN: '@';

fragment DIGIT: [0-9];
fragment EXPONENT: [eE] [+\-]? DIGIT+;
fragment ID_CHAR: [a-zA-Z0-9_$\u0080-\u{10FFFF}];

// Case-insensitive letters for keywords.
fragment A: [aA]; fragment B: [bB]; fragment C: [cC]; fragment D: [dD]; fragment E: [eE];
fragment F: [fF]; fragment G: [gG]; fragment H: [hH]; fragment I: [iI]; fragment J: [jJ];
fragment K: [kK]; fragment L: [lL]; fragment M: [mM]; fragment N: [nN]; fragment O: [oO];
fragment P: [pP]; fragment Q: [qQ]; fragment R: [rR]; fragment S: [sS]; fragment T: [tT];
fragment U: [uU]; fragment V: [vV]; fragment W: [wW]; fragment X: [xX]; fragment Y: [yY];
fragment Z: [zZ];
