// Stored programs: procedures, functions, triggers, events and their compound-statement bodies.
// The proxy passes these through to a backend; the grammar only has to recognise them.
parser grammar StoredPrograms;

createProcedureStatement
    : CREATE (OR REPLACE)? definerClause? PROCEDURE ifNotExists? qualifiedName
      LPAREN (procedureParameter (COMMA procedureParameter)*)? RPAREN routineCharacteristic*
      routineBody
    ;

createFunctionStatement
    : CREATE (OR REPLACE)? definerClause? AGGREGATE? FUNCTION ifNotExists? qualifiedName
      LPAREN (functionParameter (COMMA functionParameter)*)? RPAREN RETURNS dataType
      routineCharacteristic* routineBody
    ;

createTriggerStatement
    : CREATE (OR REPLACE)? definerClause? TRIGGER ifNotExists? qualifiedName (BEFORE | AFTER)
      (INSERT | UPDATE | DELETE) ON tableName FOR EACH ROW ((FOLLOWS | PRECEDES) identifier)?
      routineBody
    ;

createEventStatement
    : CREATE (OR REPLACE)? definerClause? EVENT ifNotExists? qualifiedName ON SCHEDULE
      eventSchedule (ON COMPLETION NOT? PRESERVE)? (ENABLE | DISABLE (ON SLAVE)?)?
      (COMMENT textString)? DO routineBody
    ;

dropStoredProgramStatement
    : DROP (PROCEDURE | FUNCTION | TRIGGER | EVENT) ifExists? qualifiedName
    ;

eventSchedule
    : AT expr
    | EVERY expr intervalUnit (STARTS expr)? (ENDS expr)?
    ;

definerClause
    : DEFINER EQ userName
    ;

procedureParameter
    : (IN | OUT | INOUT)? identifier dataType
    ;

functionParameter
    : identifier dataType
    ;

routineCharacteristic
    : COMMENT textString
    | LANGUAGE SQL
    | NOT? DETERMINISTIC
    | CONTAINS SQL
    | NO SQL
    | READS SQL DATA
    | MODIFIES SQL DATA
    | SQL SECURITY (DEFINER | INVOKER)
    ;

routineBody
    : compoundStatement
    | sqlStatement
    ;

compoundStatement
    : beginLabel? BEGIN (procedureStatement SEMI)* END identifier?
    ;

beginLabel
    : identifier COLON
    ;

procedureStatement
    : compoundStatement
    | declareStatement
    | IF expr THEN procedureStatementList (ELSEIF expr THEN procedureStatementList)*
      (ELSE procedureStatementList)? END IF
    | CASE expr? (WHEN expr THEN procedureStatementList)+ (ELSE procedureStatementList)? END CASE
    | beginLabel? WHILE expr DO procedureStatementList END WHILE identifier?
    | beginLabel? LOOP procedureStatementList END LOOP identifier?
    | beginLabel? REPEAT procedureStatementList UNTIL expr END REPEAT identifier?
    | (LEAVE | ITERATE) identifier
    | RETURN expr
    | OPEN identifier
    | CLOSE identifier
    | FETCH (NEXT? FROM)? identifier INTO identifierList
    | sqlStatement
    ;

procedureStatementList
    : (procedureStatement SEMI)+
    ;

declareStatement
    : DECLARE identifierList dataType (DEFAULT expr)?
    | DECLARE identifier CONDITION FOR (DECIMAL_LITERAL | SQLSTATE VALUE? textString)
    | DECLARE identifier CURSOR FOR selectStatement
    | DECLARE (CONTINUE | EXIT | UNDO) HANDLER FOR handlerCondition (COMMA handlerCondition)*
      procedureStatement
    ;

handlerCondition
    : DECIMAL_LITERAL
    | SQLSTATE VALUE? textString
    | SQLWARNING
    | NOT FOUND
    | SQLEXCEPTION
    | identifier
    ;
