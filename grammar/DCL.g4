// Access control: users, roles, GRANT, REVOKE.
parser grammar DCL;

createUserStatement
    : CREATE USER ifNotExists? userSpecification (COMMA userSpecification)*
      (DEFAULT ROLE userNameList)? requireClause? resourceOptions? accountOption*
    ;

alterUserStatement
    : ALTER USER ifExists? userSpecification (COMMA userSpecification)* requireClause?
      resourceOptions? accountOption*
    | ALTER USER ifExists? userName DEFAULT ROLE (ALL | NONE | userNameList)
    | ALTER USER ifExists? userName (ADD | MODIFY) DECIMAL_LITERAL FACTOR authOption
      ((ADD | MODIFY) DECIMAL_LITERAL FACTOR authOption)?
    | ALTER USER ifExists? userName DROP DECIMAL_LITERAL FACTOR (DROP DECIMAL_LITERAL FACTOR)?
    ;

// MySQL 8.0.27 multifactor authentication: up to three AND-ed methods.
userSpecification
    : userName (authOption (AND authOption)*)?
    ;

authOption
    : IDENTIFIED BY PASSWORD? textString (REPLACE textString)? (RETAIN CURRENT PASSWORD)?
    | IDENTIFIED BY RANDOM PASSWORD
    | IDENTIFIED WITH identifier ((BY | AS) textString | BY RANDOM PASSWORD)?
    | IDENTIFIED VIA identifier ((USING | AS) textString)?
    | DISCARD OLD PASSWORD
    ;

requireClause
    : REQUIRE (NONE | SSL | X509 | tlsOption (AND? tlsOption)*)
    ;

tlsOption
    : (CIPHER | ISSUER | SUBJECT) textString
    ;

resourceOptions
    : WITH resourceOption+
    ;

resourceOption
    : (MAX_QUERIES_PER_HOUR | MAX_UPDATES_PER_HOUR | MAX_CONNECTIONS_PER_HOUR | MAX_USER_CONNECTIONS)
      DECIMAL_LITERAL
    ;

accountOption
    : PASSWORD EXPIRE (DEFAULT | NEVER | INTERVAL DECIMAL_LITERAL DAY)?
    | PASSWORD HISTORY (DEFAULT | DECIMAL_LITERAL)
    | PASSWORD REUSE INTERVAL (DEFAULT | DECIMAL_LITERAL DAY)
    | PASSWORD REQUIRE CURRENT (DEFAULT | OPTIONAL)?
    | FAILED_LOGIN_ATTEMPTS DECIMAL_LITERAL
    | PASSWORD_LOCK_TIME (DECIMAL_LITERAL | UNBOUNDED)
    | ACCOUNT (LOCK | UNLOCK)
    | (COMMENT | ATTRIBUTE) textString
    ;

dropUserStatement
    : DROP USER ifExists? userNameList
    ;

renameUserStatement
    : RENAME USER userName TO userName (COMMA userName TO userName)*
    ;

createRoleStatement
    : CREATE ROLE ifNotExists? userNameList
    ;

dropRoleStatement
    : DROP ROLE ifExists? userNameList
    ;

grantStatement
    : GRANT privilege (COMMA privilege)* ON objectType? privilegeLevel TO userSpecification
      (COMMA userSpecification)* requireClause? (WITH (GRANT OPTION | resourceOption)+)?
      (AS userName (WITH ROLE (DEFAULT | NONE | ALL | userNameList))?)?
    | GRANT PROXY ON userName TO userNameList (WITH GRANT OPTION)?
    | GRANT userNameList TO userNameList (WITH ADMIN OPTION)?
    ;

revokeStatement
    : REVOKE ifExists? privilege (COMMA privilege)* ON objectType? privilegeLevel FROM userNameList
      (IGNORE UNKNOWN USER)?
    | REVOKE ifExists? ALL PRIVILEGES? COMMA GRANT OPTION FROM userNameList
    | REVOKE ifExists? PROXY ON userName FROM userNameList
    | REVOKE ifExists? userNameList FROM userNameList
    ;

objectType
    : TABLE
    | FUNCTION
    | PROCEDURE
    ;

// *, *.*, db.*, db.table, table
privilegeLevel
    : STAR (DOT STAR)?
    | identifier DOT STAR
    | identifier (DOT identifierAfterDot)?
    ;

privilege
    : ALL PRIVILEGES?
    | (SELECT | INSERT | UPDATE | REFERENCES) (LPAREN identifierList RPAREN)?
    | DELETE
    | CREATE (TEMPORARY TABLES | VIEW | ROUTINE | USER | TABLESPACE | ROLE)?
    | DROP ROLE?
    | ALTER ROUTINE?
    | INDEX
    | EXECUTE
    | FILE
    | GRANT OPTION
    | LOCK TABLES
    | PROCESS
    | RELOAD
    | REPLICATION (CLIENT | SLAVE)
    | SHOW (DATABASES | VIEW)
    | SHUTDOWN
    | SUPER
    | TRIGGER
    | EVENT
    | USAGE
    | identifier
    ;

setRoleStatement
    : SET ROLE (DEFAULT | NONE | ALL (EXCEPT userNameList)? | userNameList)
    ;

setDefaultRoleStatement
    : SET DEFAULT ROLE (NONE | ALL | userNameList) TO userNameList
    ;
