// The project's own AST: what the router and the rewriter see of a statement. No ANTLR type
// appears here; the builder (transform_*.cc) fills it from the parse tree.
//
// Design:
// - One arena per statement: `Statement` owns flat vectors of expressions, query blocks and
//   table references; nodes refer to each other by 32-bit indices (ExprId, SelectId,
//   TableRefId). No node owns another, so nothing is destroyed recursively (a 100,000-term
//   expression cannot overflow the stack when freed), a Statement is one movable, copyable
//   value, and once built it is never modified: share it read-only across threads (e.g. as
//   `std::shared_ptr<const Statement>` in the statement cache).
// - Nodes are tagged structs: a `kind` says which fields mean something; the others keep their
//   defaults. Explicit rather than clever.
// - Every node has a Span: byte offsets into the original SQL text (`Statement::sql`), end
//   exclusive, so `sql.substr(begin, end - begin)` is the node's text (non-ASCII text included:
//   ANTLR's code point offsets are mapped back to bytes).
// - Left-associative operator chains are flattened: a BinaryOp applies its operator as a left
//   fold over `args` (two or more). `a + b + c` is one Add node with three args, `a AND b AND c`
//   one And node; a parenthesised operand is never merged. So long chains produce shallow trees.
//   Expressions nested deeper than kMaxExprDepth are refused with ER 1105 "statement too
//   complex" (consumers may walk the tree recursively).
// - Every member of every node is listed in visitFields() (ast_visitor.h), which toJson() and
//   the statement cache's offset shifting follow: a member added here is added there too
//   (ast_visitor_test fails until it is).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/parser.h"

namespace shardproxy::parser::ast {

using ExprId = uint32_t;
using SelectId = uint32_t;
using TableRefId = uint32_t;
inline constexpr uint32_t kNone = UINT32_MAX;

// Deepest expression tree the builder accepts (counted in AST nodes, after flattening).
inline constexpr uint32_t kMaxExprDepth = 1000;

// Byte offsets into the SQL text, end exclusive. Empty (0, 0) when the part is absent.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool empty() const { return begin == end; }
  std::string_view text(std::string_view sql) const { return sql.substr(begin, end - begin); }
};

// An identifier: its value (quotes removed, doubled backticks undone) and where it is written.
struct Name {
  std::string value;
  Span span;
  bool empty() const { return span.empty() && value.empty(); }
};

// ---- expressions --------------------------------------------------------------------------------

enum class ExprKind : uint8_t {
  Column,           // [schema.][table.]column
  Literal,          // literalType, value, charset, literalIndex
  ParameterMarker,  // `?`: paramIndex
  UnaryOp,          // unaryOp args[0]
  BinaryOp,         // left fold of binaryOp over args; LIKE: escape; quantified: quantifier
  Between,          // args = {x, low, high}; negated
  In,               // args = {x, items...} or {x} with subquery; negated
  Is,               // args[0] IS [NOT] isTest; negated
  Function,         // name, args, distinct, star, aggregate, over
  Case,             // args = {[operand], when1, then1, ..., [else]}; hasOperand, hasElse
  Cast,             // args[0], name = target type text (CAST, CONVERT(x, type))
  Subquery,         // subquery (span includes the parentheses)
  Exists,           // subquery
  Variable,         // name (as written, with @ / @@), systemVariable
  Interval,         // INTERVAL args[0] name(unit)
  Collate,          // args[0] COLLATE name
  Row,              // (a, b) or ROW(a, b): args
  Default,          // DEFAULT or DEFAULT(col): args = {[col]}
  Other,            // not modelled (MATCH, MEMBER OF, ODBC {}, NEXT VALUE FOR ...): span only
};

enum class LiteralType : uint8_t {
  Integer,
  Decimal,
  Double,
  String,
  Hex,
  Bit,
  Boolean,
  Null,
  Temporal,
};

enum class UnaryOperator : uint8_t { Minus, Plus, BitNot, Not /* NOT and ! */, Binary };

enum class BinaryOperator : uint8_t {
  And,
  Or,
  Xor,
  Eq,
  NullSafeEq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Add,
  Sub,
  Mul,
  Div,
  IntDiv,
  Mod,
  BitAnd,
  BitOr,
  BitXor,
  ShiftLeft,
  ShiftRight,
  Like,
  Regexp,
  SoundsLike,
  JsonExtract,
  JsonUnquoteExtract,  // col->'$.a', col->>'$.a'
  Assign,              // @v := expr
};

enum class IsTest : uint8_t { Null, True, False, Unknown };
enum class Quantifier : uint8_t { None, All, Any };  // a = ANY (subquery): SOME is Any

enum class AggregateKind : uint8_t {
  None,
  Count,
  Sum,
  Min,
  Max,
  Avg,
  GroupConcat,
  BitAnd,
  BitOr,
  BitXor,
  Std,
  Stddev,
  StddevPop,
  StddevSamp,
  Variance,
  VarPop,
  VarSamp,
  JsonArrayAgg,
  JsonObjectAgg,
};

// GROUP BY / ORDER BY item. `position` is set when the item is a bare integer literal (ORDER BY 2).
struct OrderItem {
  Span span;
  ExprId expr = kNone;
  uint32_t position = 0;  // 1-based, 0 when the item is an expression
  bool desc = false;
  bool explicitDirection = false;
};

struct Expr {
  ExprKind kind = ExprKind::Other;
  Span span;
  uint32_t depth = 1;  // 1 + the deepest child

  // Column
  Name schema;
  Name table;
  Name column;

  // Literal. value: strings unescaped and concatenated ('a' 'b' is "ab"); numbers, hex and bit
  // literals as written; booleans "TRUE"/"FALSE"; NULL "NULL"; temporal: the quoted text.
  // charset: the introducer without '_' (`_utf8mb4'x'`), "N" for N'x', or the temporal type.
  LiteralType literalType = LiteralType::Null;
  std::string value;
  std::string charset;
  uint32_t literalIndex = kNone;  // ordinal among the statement's literals, in text order

  uint32_t paramIndex = kNone;  // ParameterMarker: ordinal among the `?`, in text order

  UnaryOperator unaryOp = UnaryOperator::Minus;
  BinaryOperator binaryOp = BinaryOperator::And;
  Quantifier quantifier = Quantifier::None;
  IsTest isTest = IsTest::Null;
  bool negated = false;  // NOT IN, NOT BETWEEN, NOT LIKE, NOT REGEXP, IS NOT

  std::vector<ExprId> args;
  ExprId escape = kNone;      // LIKE ... ESCAPE
  SelectId subquery = kNone;  // Subquery, Exists, In (subquery)

  // Function (name as written, schema-qualified names keep the dot), Cast (type), Variable,
  // Interval (unit), Collate (collation).
  std::string name;
  AggregateKind aggregate = AggregateKind::None;
  bool distinct = false;  // COUNT(DISTINCT a)
  bool star = false;      // COUNT(*)
  bool over = false;      // window function: OVER (...) or OVER w
  // GROUP_CONCAT(... ORDER BY ... SEPARATOR 'x'): its own ORDER BY, and the separator (a string
  // Literal; kNone for the default ',').
  std::vector<OrderItem> orderBy;
  ExprId separator = kNone;

  bool hasOperand = false;  // Case
  bool hasElse = false;     // Case
  bool systemVariable = false;
};

// ---- tables -------------------------------------------------------------------------------------

enum class JoinType : uint8_t {
  Inner,
  Cross,
  Left,
  Right,
  Straight,
  Natural,
  NaturalLeft,
  NaturalRight
};

struct TableRef {
  enum class Kind : uint8_t { Table, Derived, Join, Other /* JSON_TABLE, ODBC { OJ } */ };
  Kind kind = Kind::Table;
  Span span;
  Name schema;                // Table
  Name name;                  // Table
  Name alias;                 // Table, Derived
  SelectId subquery = kNone;  // Derived
  bool lateral = false;
  // Join: left and right operands; `a JOIN b JOIN c` is Join(Join(a, b), c).
  JoinType joinType = JoinType::Inner;
  TableRefId left = kNone;
  TableRefId right = kNone;
  ExprId on = kNone;
  std::vector<Name> usingColumns;
  // A parenthesised list `(a, b)`: the members (kind Other with these set).
  std::vector<TableRefId> members;
};

// ---- query blocks -------------------------------------------------------------------------------

struct SelectItem {
  enum class Kind : uint8_t { Expr, Star /* * */, TableStar /* t.* or db.t.* */ };
  Kind kind = Kind::Expr;
  Span span;
  ExprId expr = kNone;
  Name alias;
  Name schema;  // TableStar
  Name table;   // TableStar
};

// LIMIT [offset,] count. Each value is an Expr: a Literal (Integer), a ParameterMarker or a
// Column (a stored-program variable).
struct Limit {
  Span span;  // from LIMIT to the end of the clause; empty when there is no LIMIT
  ExprId offset = kNone;
  ExprId count = kNone;
  bool present() const { return count != kNone; }
};

enum class LockKind : uint8_t { None, ForUpdate, ForShare, LockInShareMode };
enum class SetOp : uint8_t { Union, UnionAll, Intersect, IntersectAll, Except, ExceptAll };

struct Cte {
  Span span;
  Name name;
  std::vector<Name> columns;
  SelectId query = kNone;
};

struct Select {
  // Query: one SELECT ... block. Compound: operands combined by setOps (setOps[i] joins the
  // result so far with operands[i + 1], a left fold; a single operand is a parenthesised query
  // with an outer ORDER BY / LIMIT). Values: VALUES ROW(...), rows in `rows`. Table: TABLE t.
  enum class Kind : uint8_t { Query, Compound, Values, Table };
  Kind kind = Kind::Query;
  Span span;
  bool recursive = false;
  std::vector<Cte> with;

  bool distinct = false;
  std::vector<SelectItem> items;
  std::vector<TableRefId> from;
  ExprId where = kNone;
  std::vector<OrderItem> groupBy;
  bool withRollup = false;
  ExprId having = kNone;
  std::vector<OrderItem> orderBy;
  Limit limit;
  LockKind lock = LockKind::None;

  std::vector<SelectId> operands;  // Compound
  std::vector<SetOp> setOps;       // Compound
  std::vector<ExprId> rows;        // Values: Row exprs
  TableRefId table = kNone;        // Table
};

// ---- data modification
// ---------------------------------------------------------------------------

struct Assignment {
  Span span;
  ExprId column = kNone;  // a Column expr
  ExprId value = kNone;
};

struct ValueRow {
  Span span;  // `(1, 'a')` including the parentheses (and ROW)
  std::vector<ExprId> values;
};

struct InsertStatement {
  enum class Source : uint8_t { Values, Set, Select };
  bool ignore = false;
  TableRefId table = kNone;
  std::vector<ExprId> columns;  // Column exprs; empty when not listed
  Span columnsSpan;             // inside the parentheses
  Source source = Source::Values;
  Span valuesSpan;  // from the first row to the end of the last (after VALUES)
  std::vector<ValueRow> rows;
  std::vector<Assignment> set;
  SelectId select = kNone;
  std::vector<Assignment> onDuplicate;
  Span onDuplicateSpan;  // ON DUPLICATE KEY UPDATE ... to its end
};

struct UpdateStatement {
  bool ignore = false;
  std::vector<TableRefId> tables;  // one table, or several / joins (multi-table)
  std::vector<Assignment> set;
  ExprId where = kNone;
  std::vector<OrderItem> orderBy;
  Limit limit;
};

struct DeleteStatement {
  bool ignore = false;
  bool multiTable = false;
  // Multi-table: the tables rows are deleted from (`DELETE t1, t2 FROM ...`), kind Table, alias
  // empty (a target may name an alias of `tables`).
  std::vector<TableRefId> targets;
  std::vector<TableRefId> tables;  // single-table: the table; multi-table: the FROM / USING part
  ExprId where = kNone;
  std::vector<OrderItem> orderBy;
  Limit limit;
};

// ---- statements ---------------------------------------------------------------------------------

enum class StatementKind : uint8_t {
  Select,
  Insert,
  Replace,
  Update,
  Delete,
  Ddl,
  Tcl,
  Set,
  Use,
  Show,
  Explain /* and DESCRIBE */,
  Kill,
  Prepare,     // SQL-level PREPARE
  Execute,     // SQL-level EXECUTE
  Deallocate,  // DEALLOCATE | DROP PREPARE
  Handler,     // HANDLER t OPEN | READ | CLOSE
  Call,
  Do,
  LoadData,
  Dcl,
  Other,
};

enum class DdlKind : uint8_t {
  None,
  CreateTable,
  AlterTable,
  DropTable,
  TruncateTable,
  RenameTable,
  CreateIndex,
  DropIndex,
  CreateDatabase,
  AlterDatabase,
  DropDatabase,
  CreateView,
  AlterView,
  DropView,
  Tablespace,
  StoredProgram /* procedures, functions, triggers, events */,
};

enum class TclKind : uint8_t {
  None,
  Begin,
  Commit,
  Rollback,
  RollbackToSavepoint,
  Savepoint,
  ReleaseSavepoint,
  SetTransaction,
  Xa,
  LockTables,
  UnlockTables,
};

// SHOW DATABASES and SHOW TABLES, which the proxy answers itself; other SHOW forms are kind
// Other with the text kept.
struct ShowStatement {
  enum class Kind : uint8_t {
    Databases,
    Tables,
    Columns,      // SHOW [FULL] COLUMNS | FIELDS FROM t [FROM db]; also DESCRIBE t (Explain)
    Index,        // SHOW INDEX | INDEXES | KEYS FROM t [FROM db]
    CreateTable,  // SHOW CREATE TABLE t
    Processlist,  // SHOW [FULL] PROCESSLIST
    TableStatus,  // SHOW TABLE STATUS [FROM db] [LIKE | WHERE]
    Warnings,     // SHOW WARNINGS | ERRORS [LIMIT ...]
    Status,       // SHOW [GLOBAL | SESSION | LOCAL] STATUS
    Other,
  };
  Kind kind = Kind::Other;
  bool full = false;         // SHOW FULL TABLES, SHOW FULL COLUMNS
  bool global = false;       // SHOW GLOBAL STATUS
  Name database;             // SHOW TABLES FROM db, SHOW COLUMNS FROM t FROM db
  TableRefId table = kNone;  // Columns, Index, CreateTable: the table (kind Table)
  ExprId like = kNone;       // the LIKE pattern, a string Literal (its value is unescaped)
  Span filterSpan;           // `LIKE '...'` or `WHERE ...` as written; empty when none
};

struct KillStatement {
  bool query = false;     // KILL QUERY (else the connection)
  ExprId target = kNone;  // the connection id expression
};

// SET. `SET @@session.x`, `SET SESSION x`, `SET LOCAL x` and `SET x` are all scope Session.
enum class VariableScope : uint8_t { Session, Global, Persist, PersistOnly, User };

struct SetItem {
  enum class Kind : uint8_t {
    Variable,      // a system or user variable
    Names,         // SET NAMES charset [COLLATE collation] | DEFAULT
    CharacterSet,  // SET CHARACTER SET | CHARSET charset | DEFAULT
    Password,      // SET PASSWORD [FOR user] = ...
  };
  Kind kind = Kind::Variable;
  Span span;
  VariableScope scope = VariableScope::Session;
  // Variable: the name without `@`, `@@` and scope (`SET @@global.x` gives "x"); a component
  // prefix keeps its dot ("validate_password.length"). Quotes and backquotes removed.
  Name name;
  ExprId value = kNone;      // Variable: the value; kNone when it is a keyword (valueKeyword)
  std::string valueKeyword;  // ON, ALL or BINARY (upper case), which are not expressions
  Span valueSpan;
  Name charset;    // Names, CharacterSet: empty value for DEFAULT
  Name collation;  // Names ... COLLATE
};

struct SetStatement {
  std::vector<SetItem> items;
  // MariaDB `SET STATEMENT var = value [, ...] FOR <statement>`: the inner statement's text
  // (not modelled further); empty otherwise.
  Span forStatement;
};

enum class IsolationLevel : uint8_t {
  None,
  ReadUncommitted,
  ReadCommitted,
  RepeatableRead,
  Serializable
};
enum class AccessMode : uint8_t { None, ReadOnly, ReadWrite };
enum class Completion : uint8_t { None, Yes, No };  // AND [NO] CHAIN, [NO] RELEASE

// The options of the transaction statements (Statement::tclKind says which apply).
struct TransactionStatement {
  AccessMode access = AccessMode::None;  // Begin (START TRANSACTION ...), SetTransaction
  bool consistentSnapshot = false;       // Begin
  // SetTransaction: with no scope keyword it applies to the next transaction only.
  enum class Scope : uint8_t { Next, Session, Global };
  Scope scope = Scope::Next;
  IsolationLevel isolation = IsolationLevel::None;  // SetTransaction
  Completion chain = Completion::None;              // Commit, Rollback
  Completion release = Completion::None;            // Commit, Rollback
  Name savepoint;  // Savepoint, RollbackToSavepoint, ReleaseSavepoint
};

// SQL-level prepared statements: PREPARE name FROM 'text' | @var; EXECUTE name [USING @a, ...];
// DEALLOCATE | DROP PREPARE name.
struct PreparedStatementCommand {
  Name name;
  ExprId text = kNone;               // Prepare from a string: a string Literal
  Name fromVariable;                 // Prepare from a user variable: its name without '@'
  std::vector<Name> usingVariables;  // Execute: names without '@'
};

// A table a DDL statement names, and what it is to the statement. One flat list in text order
// (rather than a field per role) so a consumer that only maps logical to actual tables walks
// one vector, and one that cares about roles still can: RENAME TABLE a TO b, c TO d gives
// Target a, RenameTo b, Target c, RenameTo d (a RenameTo follows the Target it renames).
struct DdlTable {
  enum class Role : uint8_t {
    Target,      // the table (or view) the statement creates, alters, drops, truncates, renames,
                 // or indexes (CREATE / DROP INDEX ... ON t)
    Like,        // CREATE TABLE t LIKE other
    RenameTo,    // RENAME TABLE a TO b, ALTER TABLE a RENAME [TO | AS] b
    References,  // FOREIGN KEY ... REFERENCES parent, column ... REFERENCES parent
    Query,       // a table read by CREATE TABLE ... AS SELECT or the query of a view
    Exchange,    // ALTER TABLE t EXCHANGE PARTITION p WITH TABLE other
    Union,       // the MERGE table option UNION = (t1, t2)
  };
  TableRefId table = kNone;  // into Statement::tableRefs, kind Table
  Role role = Role::Target;
};

// The parts of a DDL statement a router needs to fan it out per actual table and a rewriter to
// rename what is named. Column definitions, types, options and partitions are not modelled.
struct DdlStatement {
  bool temporary = false;  // CREATE TEMPORARY TABLE, DROP TEMPORARY TABLE
  // IF [NOT] EXISTS on the statement's own object (CREATE TABLE IF NOT EXISTS, DROP INDEX IF
  // EXISTS ...); the per-clause ones of ALTER TABLE (ADD COLUMN IF NOT EXISTS, DROP INDEX IF
  // EXISTS) are not reflected here.
  bool ifExists = false;
  bool ifNotExists = false;
  // Every table the statement names, in text order. Query tables are the kind-Table refs the
  // select builder made for the query (base tables and CTE references alike; see `query`).
  std::vector<DdlTable> tables;
  // Every index or constraint name the statement defines, drops, renames or alters, in text
  // order: CREATE / DROP INDEX i; ALTER TABLE ADD INDEX | KEY | UNIQUE | FULLTEXT | SPATIAL i,
  // ADD CONSTRAINT c ..., ADD FOREIGN KEY i, DROP INDEX | KEY i, DROP FOREIGN KEY fk,
  // DROP CHECK | CONSTRAINT c, ALTER INDEX i, ALTER CHECK | CONSTRAINT c, RENAME INDEX a TO b
  // (both); CREATE TABLE index, unique, foreign key and check definitions (constraint symbol
  // and index name, both when both are written). PRIMARY KEY names are not listed (MySQL
  // ignores them). Unquoted value, span as written (backquotes included).
  std::vector<Name> indexes;
  Name database;           // CREATE / ALTER / DROP DATABASE (empty when ALTER names none)
  SelectId query = kNone;  // CREATE TABLE ... [AS] SELECT, CREATE / ALTER VIEW ... AS SELECT
};

// A name of a database object, wherever the statement writes it. Found by one walk over the
// whole parse tree (not by the statement builders above), so a statement form the AST does not
// model (SHOW TABLE STATUS FROM db, HANDLER, LOCK TABLES, CALL, SET STATEMENT ... FOR ...) still
// lists its names: the binder checks every one before anything reaches a backend.
// What a statement acts on beyond its kind; the binder refuses what reaches past the logical
// databases to a server.
enum class Reach : uint8_t {
  Database,  // objects of a database, or the session (most statements)
  // The server itself: FLUSH, RESET, INSTALL / UNINSTALL, BINLOG, CACHE INDEX, LOAD INDEX INTO
  // CACHE, resource groups, CLONE, replication control, tablespaces, CREATE FUNCTION ... SONAME,
  // users, roles and privileges (the DCL statements).
  Server,
  // Reads the server's state beyond the session's databases: SHOW PROCESSLIST, ENGINE, MASTER /
  // SLAVE / REPLICA / BINLOG / RELAYLOG / BINARY, OPEN TABLES, PROCEDURE / FUNCTION STATUS and
  // CODE, GRANTS, CREATE USER, PROFILE(S); EXPLAIN FOR CONNECTION.
  ServerState,
};

struct ObjectName {
  enum class Kind : uint8_t {
    Table,     // a table, view or sequence (`[schema.]name`): FROM, INTO, DDL, LOCK TABLES, ...
    Column,    // `schema.table.column` (only column references that name a schema are listed)
    Wildcard,  // `schema.table.*` in a select list or a multi-table DELETE's targets
    Routine,   // `schema.name` of a function call, procedure, view, trigger or event
    Database,  // a database named alone: USE, SHOW ... FROM db, CREATE / ALTER / DROP DATABASE
    FileRead,  // a call of LOAD_FILE(): `span` is the whole call, `name` the function's name
    Engine,    // a storage engine named by ENGINE = name (CREATE / ALTER TABLE): `name`
  };
  Kind kind = Kind::Table;
  Span span;    // the whole reference as written
  Name schema;  // the database (Database: the name itself); empty when not qualified
  Name name;    // the object (empty for Database)
};

struct Statement {
  StatementKind kind = StatementKind::Other;
  DdlKind ddlKind = DdlKind::None;
  TclKind tclKind = TclKind::None;
  Span span;  // the statement without leading comments and the trailing ';'
  std::string sql;

  // `/* SHARDINGSPHERE_HINT: ... */` before the first token: the text after the colon, trimmed.
  bool hasHint = false;
  std::string hint;
  Span hintSpan;  // the whole comment

  SelectId select = kNone;  // Select; also the source of INSERT ... SELECT is in `insert`
  InsertStatement insert;   // Insert, Replace
  UpdateStatement update;
  DeleteStatement del;
  Name useDatabase;  // Use
  ShowStatement show;
  KillStatement kill;
  SetStatement set;
  TransactionStatement transaction;   // Tcl
  PreparedStatementCommand prepared;  // Prepare, Execute, Deallocate
  DdlStatement ddl;

  // Every object name the statement writes, in text order (see ObjectName).
  std::vector<ObjectName> objects;
  // SELECT ... INTO OUTFILE | DUMPFILE: the statement writes a file on the server's host.
  bool intoFile = false;
  // LOAD DATA | XML LOCAL INFILE: the file is the client's (without LOCAL, the server's).
  bool localFile = false;
  Reach reach = Reach::Database;
  // A PREPARE or EXECUTE inside the statement (a stored program's body): SQL built at run time.
  bool dynamicSql = false;

  // A user variable (`@v`) is read or written anywhere in the statement: in an expression, SET,
  // SELECT ... INTO, PREPARE ... FROM, EXECUTE ... USING. (`user@host` account names are not
  // variables.)
  bool usesUserVariables = false;

  uint32_t literalCount = 0;
  uint32_t paramCount = 0;

  std::vector<Expr> exprs;
  std::vector<Select> selects;
  std::vector<TableRef> tableRefs;

  const Expr& expr(ExprId id) const { return exprs[id]; }
  const Select& query(SelectId id) const { return selects[id]; }
  const TableRef& tableRef(TableRefId id) const { return tableRefs[id]; }
  std::string_view text(Span span) const { return span.text(sql); }
};

// Builds the AST of a parsed statement. Fails only with ER 1105 "statement too complex" (see
// kMaxExprDepth) or on an internal error; an empty statement gives kind Other.
Result<Statement> buildAst(const ParsedStatement& parsed);

// parse() then buildAst().
Result<Statement> parseAst(std::string_view sql, LexMode mode = {});

// A compact S-expression dump with offsets, for tests and debugging: e.g.
// (select (items (col c @7:8)) (from (table t @14:15)) (where (= (col id @22:24) (lit int 1 #0
// @27:28)))) withOffsets = false leaves out the `@begin:end` parts.
std::string describe(const Statement& statement, bool withOffsets = true);
std::string describeExpr(const Statement& statement, ExprId id, bool withOffsets = true);

// The whole AST as one line of JSON (nested objects, byte-offset spans), for `shardproxy parse
// --json`; the format is described in ast_json.cc.
std::string toJson(const Statement& statement);
// `text` as a JSON string literal, quotes included, escaped as toJson() escapes SQL text.
std::string toJsonString(std::string_view text);

const char* toString(StatementKind kind);
const char* toString(BinaryOperator op);
const char* toString(AggregateKind kind);

}  // namespace shardproxy::parser::ast
