// Transaction control: BEGIN/START TRANSACTION, COMMIT, ROLLBACK, savepoints, SET TRANSACTION,
// XA, LOCK/UNLOCK TABLES.
parser grammar TCL;

beginStatement
    : BEGIN WORK?
    | START TRANSACTION (transactionCharacteristic (COMMA transactionCharacteristic)*)?
    ;

transactionCharacteristic
    : WITH CONSISTENT SNAPSHOT
    | READ ONLY
    | READ WRITE
    ;

commitStatement
    : COMMIT WORK? chainAndRelease
    ;

rollbackStatement
    : ROLLBACK WORK? TO SAVEPOINT? identifier
    | ROLLBACK WORK? chainAndRelease
    ;

chainAndRelease
    : (AND NO? CHAIN)? (NO? RELEASE)?
    ;

savepointStatement
    : SAVEPOINT identifier
    ;

releaseSavepointStatement
    : RELEASE SAVEPOINT identifier
    ;

setTransactionStatement
    : SET (GLOBAL | SESSION | LOCAL)? TRANSACTION transactionOption (COMMA transactionOption)*
    ;

transactionOption
    : ISOLATION LEVEL isolationLevel
    | READ ONLY
    | READ WRITE
    ;

isolationLevel
    : REPEATABLE READ
    | READ COMMITTED
    | READ UNCOMMITTED
    | SERIALIZABLE
    ;

xaStatement
    : XA (START | BEGIN) xid (JOIN | RESUME)?
    | XA END xid (SUSPEND (FOR MIGRATE)?)?
    | XA PREPARE xid
    | XA COMMIT xid (ONE PHASE)?
    | XA ROLLBACK xid
    | XA RECOVER (CONVERT XID)?
    ;

// gtrid [, bqual [, formatID]]
xid
    : xidPart (COMMA xidPart (COMMA DECIMAL_LITERAL)?)?
    ;

xidPart
    : textString
    | HEX_LITERAL
    | BIT_LITERAL
    | DECIMAL_LITERAL
    | identifier
    ;

lockTablesStatement
    : LOCK (TABLES | TABLE) tableLock (COMMA tableLock)*
    | LOCK INSTANCE FOR BACKUP
    ;

tableLock
    : tableName (AS? alias)? (READ LOCAL? | LOW_PRIORITY? WRITE)
    ;

unlockTablesStatement
    : UNLOCK (TABLES | TABLE | INSTANCE)
    ;
