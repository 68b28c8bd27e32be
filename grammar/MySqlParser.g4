// MySQL 8.0 / MariaDB 10.11 statement grammar: the entry rule and the statement dispatch. The
// rules of each statement family live in their own imported grammar.
parser grammar MySqlParser;

options { tokenVocab = MySqlLexer; }

import DML, DDL, StoredPrograms, TCL, DAL, DCL, Expressions, Literals, Keywords;

// One statement per request (the proxy does not accept multi-statements), optionally ended by ';'.
root
    : sqlStatement? SEMI? EOF
    ;

sqlStatement
    : selectStatement
    | insertStatement
    | replaceStatement
    | updateStatement
    | deleteStatement
    | loadStatement
    | callStatement
    | doStatement
    | handlerStatement
    | importTableStatement
    // TCL
    | beginStatement
    | commitStatement
    | rollbackStatement
    | savepointStatement
    | releaseSavepointStatement
    | setTransactionStatement
    | xaStatement
    | lockTablesStatement
    | unlockTablesStatement
    // DAL
    | setStatementFor
    | setStatement
    | useStatement
    | showStatement
    | explainStatement
    | killStatement
    | tableMaintenanceStatement
    | flushStatement
    | resetStatement
    | prepareStatement
    | executeStatement
    | deallocateStatement
    | installStatement
    | uninstallStatement
    | shutdownStatement
    | helpStatement
    | binlogStatement
    | cacheIndexStatement
    | loadIndexStatement
    | createResourceGroupStatement
    | alterResourceGroupStatement
    | dropResourceGroupStatement
    | setResourceGroupStatement
    | cloneStatement
    | replicationStatement
    // DDL
    | createTableStatement
    | alterTableStatement
    | dropTableStatement
    | truncateTableStatement
    | renameTableStatement
    | createIndexStatement
    | dropIndexStatement
    | createDatabaseStatement
    | alterDatabaseStatement
    | dropDatabaseStatement
    | createViewStatement
    | alterViewStatement
    | dropViewStatement
    | createTablespaceStatement
    | alterTablespaceStatement
    | dropTablespaceStatement
    | createLoadableFunctionStatement
    | createProcedureStatement
    | createFunctionStatement
    | createTriggerStatement
    | createEventStatement
    | dropStoredProgramStatement
    // DCL
    | createUserStatement
    | alterUserStatement
    | dropUserStatement
    | renameUserStatement
    | createRoleStatement
    | dropRoleStatement
    | grantStatement
    | revokeStatement
    | setRoleStatement
    | setDefaultRoleStatement
    ;
