// toJson(): the whole AST of a statement as one line of JSON, for `shardproxy parse --json`
// (debugging, corpus runs, diffing the parser's view across versions).
//
// Shape: expressions, query blocks and table references are nested objects that follow the
// ExprId / SelectId / TableRefId indices, not the flat arrays. Keys are the ast.h member names,
// except that an expression's kind is "expr", a literal's type "type", an operator "op", an IS
// test "test", Statement::del "delete" and Statement::useDatabase "use". Every node has
// "span": [begin, end] (byte offsets, end exclusive); a Name is {"value": ..., "span": [b, e]}.
// Values: the statement kind, binary operators and aggregates use the names describe() prints
// ("select", "load-data", "<=>", "group_concat"); other enums their ast.h identifier in
// lowerCamelCase ("createTable", "naturalLeft", "forUpdate"). Fields at their default value
// (kNone, empty, false, None) are left out; everything that is set appears.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"

namespace shardproxy::parser::ast {
namespace {

const char* exprKindName(ExprKind kind) {
  switch (kind) {
    case ExprKind::Column:
      return "column";
    case ExprKind::Literal:
      return "literal";
    case ExprKind::ParameterMarker:
      return "parameterMarker";
    case ExprKind::UnaryOp:
      return "unaryOp";
    case ExprKind::BinaryOp:
      return "binaryOp";
    case ExprKind::Between:
      return "between";
    case ExprKind::In:
      return "in";
    case ExprKind::Is:
      return "is";
    case ExprKind::Function:
      return "function";
    case ExprKind::Case:
      return "case";
    case ExprKind::Cast:
      return "cast";
    case ExprKind::Subquery:
      return "subquery";
    case ExprKind::Exists:
      return "exists";
    case ExprKind::Variable:
      return "variable";
    case ExprKind::Interval:
      return "interval";
    case ExprKind::Collate:
      return "collate";
    case ExprKind::Row:
      return "row";
    case ExprKind::Default:
      return "default";
    case ExprKind::Other:
      return "other";
  }
  return "?";
}

const char* literalTypeName(LiteralType type) {
  switch (type) {
    case LiteralType::Integer:
      return "integer";
    case LiteralType::Decimal:
      return "decimal";
    case LiteralType::Double:
      return "double";
    case LiteralType::String:
      return "string";
    case LiteralType::Hex:
      return "hex";
    case LiteralType::Bit:
      return "bit";
    case LiteralType::Boolean:
      return "boolean";
    case LiteralType::Null:
      return "null";
    case LiteralType::Temporal:
      return "temporal";
  }
  return "?";
}

const char* unaryName(UnaryOperator op) {
  switch (op) {
    case UnaryOperator::Minus:
      return "minus";
    case UnaryOperator::Plus:
      return "plus";
    case UnaryOperator::BitNot:
      return "bitNot";
    case UnaryOperator::Not:
      return "not";
    case UnaryOperator::Binary:
      return "binary";
  }
  return "?";
}

const char* isTestName(IsTest test) {
  switch (test) {
    case IsTest::Null:
      return "null";
    case IsTest::True:
      return "true";
    case IsTest::False:
      return "false";
    case IsTest::Unknown:
      return "unknown";
  }
  return "?";
}

const char* quantifierName(Quantifier q) {
  switch (q) {
    case Quantifier::None:
      return "none";
    case Quantifier::All:
      return "all";
    case Quantifier::Any:
      return "any";
  }
  return "?";
}

const char* joinTypeName(JoinType type) {
  switch (type) {
    case JoinType::Inner:
      return "inner";
    case JoinType::Cross:
      return "cross";
    case JoinType::Left:
      return "left";
    case JoinType::Right:
      return "right";
    case JoinType::Straight:
      return "straight";
    case JoinType::Natural:
      return "natural";
    case JoinType::NaturalLeft:
      return "naturalLeft";
    case JoinType::NaturalRight:
      return "naturalRight";
  }
  return "?";
}

const char* tableRefKindName(TableRef::Kind kind) {
  switch (kind) {
    case TableRef::Kind::Table:
      return "table";
    case TableRef::Kind::Derived:
      return "derived";
    case TableRef::Kind::Join:
      return "join";
    case TableRef::Kind::Other:
      return "other";
  }
  return "?";
}

const char* selectKindName(Select::Kind kind) {
  switch (kind) {
    case Select::Kind::Query:
      return "query";
    case Select::Kind::Compound:
      return "compound";
    case Select::Kind::Values:
      return "values";
    case Select::Kind::Table:
      return "table";
  }
  return "?";
}

const char* selectItemKindName(SelectItem::Kind kind) {
  switch (kind) {
    case SelectItem::Kind::Expr:
      return "expr";
    case SelectItem::Kind::Star:
      return "star";
    case SelectItem::Kind::TableStar:
      return "tableStar";
  }
  return "?";
}

const char* lockName(LockKind lock) {
  switch (lock) {
    case LockKind::None:
      return "none";
    case LockKind::ForUpdate:
      return "forUpdate";
    case LockKind::ForShare:
      return "forShare";
    case LockKind::LockInShareMode:
      return "lockInShareMode";
  }
  return "?";
}

const char* setOpName(SetOp op) {
  switch (op) {
    case SetOp::Union:
      return "union";
    case SetOp::UnionAll:
      return "unionAll";
    case SetOp::Intersect:
      return "intersect";
    case SetOp::IntersectAll:
      return "intersectAll";
    case SetOp::Except:
      return "except";
    case SetOp::ExceptAll:
      return "exceptAll";
  }
  return "?";
}

const char* insertSourceName(InsertStatement::Source source) {
  switch (source) {
    case InsertStatement::Source::Values:
      return "values";
    case InsertStatement::Source::Set:
      return "set";
    case InsertStatement::Source::Select:
      return "select";
  }
  return "?";
}

const char* ddlKindName(DdlKind kind) {
  switch (kind) {
    case DdlKind::None:
      return "none";
    case DdlKind::CreateTable:
      return "createTable";
    case DdlKind::AlterTable:
      return "alterTable";
    case DdlKind::DropTable:
      return "dropTable";
    case DdlKind::TruncateTable:
      return "truncateTable";
    case DdlKind::RenameTable:
      return "renameTable";
    case DdlKind::CreateIndex:
      return "createIndex";
    case DdlKind::DropIndex:
      return "dropIndex";
    case DdlKind::CreateDatabase:
      return "createDatabase";
    case DdlKind::AlterDatabase:
      return "alterDatabase";
    case DdlKind::DropDatabase:
      return "dropDatabase";
    case DdlKind::CreateView:
      return "createView";
    case DdlKind::AlterView:
      return "alterView";
    case DdlKind::DropView:
      return "dropView";
    case DdlKind::Tablespace:
      return "tablespace";
    case DdlKind::StoredProgram:
      return "storedProgram";
  }
  return "?";
}

const char* ddlRoleName(DdlTable::Role role) {
  switch (role) {
    case DdlTable::Role::Target:
      return "target";
    case DdlTable::Role::Like:
      return "like";
    case DdlTable::Role::RenameTo:
      return "renameTo";
    case DdlTable::Role::References:
      return "references";
    case DdlTable::Role::Query:
      return "query";
    case DdlTable::Role::Exchange:
      return "exchange";
    case DdlTable::Role::Union:
      return "union";
  }
  return "?";
}

const char* tclKindName(TclKind kind) {
  switch (kind) {
    case TclKind::None:
      return "none";
    case TclKind::Begin:
      return "begin";
    case TclKind::Commit:
      return "commit";
    case TclKind::Rollback:
      return "rollback";
    case TclKind::RollbackToSavepoint:
      return "rollbackToSavepoint";
    case TclKind::Savepoint:
      return "savepoint";
    case TclKind::ReleaseSavepoint:
      return "releaseSavepoint";
    case TclKind::SetTransaction:
      return "setTransaction";
    case TclKind::Xa:
      return "xa";
    case TclKind::LockTables:
      return "lockTables";
    case TclKind::UnlockTables:
      return "unlockTables";
  }
  return "?";
}

const char* showKindName(ShowStatement::Kind kind) {
  switch (kind) {
    case ShowStatement::Kind::Databases:
      return "databases";
    case ShowStatement::Kind::Tables:
      return "tables";
    case ShowStatement::Kind::Columns:
      return "columns";
    case ShowStatement::Kind::Index:
      return "index";
    case ShowStatement::Kind::CreateTable:
      return "createTable";
    case ShowStatement::Kind::Other:
      return "other";
  }
  return "?";
}

const char* scopeName(VariableScope scope) {
  switch (scope) {
    case VariableScope::Session:
      return "session";
    case VariableScope::Global:
      return "global";
    case VariableScope::Persist:
      return "persist";
    case VariableScope::PersistOnly:
      return "persistOnly";
    case VariableScope::User:
      return "user";
  }
  return "?";
}

const char* setItemKindName(SetItem::Kind kind) {
  switch (kind) {
    case SetItem::Kind::Variable:
      return "variable";
    case SetItem::Kind::Names:
      return "names";
    case SetItem::Kind::CharacterSet:
      return "characterSet";
    case SetItem::Kind::Password:
      return "password";
  }
  return "?";
}

const char* isolationName(IsolationLevel level) {
  switch (level) {
    case IsolationLevel::None:
      return "none";
    case IsolationLevel::ReadUncommitted:
      return "readUncommitted";
    case IsolationLevel::ReadCommitted:
      return "readCommitted";
    case IsolationLevel::RepeatableRead:
      return "repeatableRead";
    case IsolationLevel::Serializable:
      return "serializable";
  }
  return "?";
}

const char* accessName(AccessMode mode) {
  switch (mode) {
    case AccessMode::None:
      return "none";
    case AccessMode::ReadOnly:
      return "readOnly";
    case AccessMode::ReadWrite:
      return "readWrite";
  }
  return "?";
}

const char* completionName(Completion c) {
  switch (c) {
    case Completion::None:
      return "none";
    case Completion::Yes:
      return "yes";
    case Completion::No:
      return "no";
  }
  return "?";
}

const char* transactionScopeName(TransactionStatement::Scope scope) {
  switch (scope) {
    case TransactionStatement::Scope::Next:
      return "next";
    case TransactionStatement::Scope::Session:
      return "session";
    case TransactionStatement::Scope::Global:
      return "global";
  }
  return "?";
}

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

class JsonWriter {
 public:
  explicit JsonWriter(const Statement& s) : s_(s) {}

  std::string out;

  void statement() {
    out += '{';
    key("kind");
    quoted(toString(s_.kind));
    key("sql");
    quoted(s_.sql);
    spanField("span", s_.span);
    if (s_.hasHint || !s_.hint.empty()) {
      key("hint");
      out += '{';
      key("value");
      quoted(s_.hint);
      spanField("span", s_.hintSpan);
      out += '}';
    }
    boolField("usesUserVariables", s_.usesUserVariables, /*always=*/true);
    if (s_.select != kNone) {
      key("select");
      select(s_.select);
    }
    if (s_.kind == StatementKind::Insert || s_.kind == StatementKind::Replace ||
        s_.insert.table != kNone) {
      insert();
    }
    if (s_.kind == StatementKind::Update || !s_.update.tables.empty()) {
      update();
    }
    if (s_.kind == StatementKind::Delete || !s_.del.tables.empty()) {
      del();
    }
    if (s_.kind == StatementKind::Set || !s_.set.items.empty()) {
      set();
    }
    if (s_.kind == StatementKind::Tcl || s_.tclKind != TclKind::None) {
      transaction();
    }
    if (s_.kind == StatementKind::Ddl || s_.ddlKind != DdlKind::None || s_.ddl.temporary) {
      key("ddl");
      out += '{';
      key("ddlKind");
      quoted(ddlKindName(s_.ddlKind));
      ddl();
      out += '}';
    }
    if (s_.kind == StatementKind::Use || !s_.useDatabase.empty()) {
      nameField("use", s_.useDatabase, /*always=*/true);
    }
    if (s_.kind == StatementKind::Show) {
      show();
    }
    if (s_.kind == StatementKind::Kill || s_.kill.target != kNone) {
      key("kill");
      out += '{';
      boolField("query", s_.kill.query);
      exprField("target", s_.kill.target);
      out += '}';
    }
    if (s_.kind == StatementKind::Prepare || s_.kind == StatementKind::Execute ||
        s_.kind == StatementKind::Deallocate || !s_.prepared.name.empty()) {
      prepared();
    }
    uintField("literalCount", s_.literalCount);
    uintField("paramCount", s_.paramCount);
    out += '}';
  }

  // A JSON string on its own (see quoted()).
  void string(std::string_view s) { quoted(s); }

 private:
  // ---- JSON primitives ----

  // Starts a member: a comma unless it is the object's first.
  void key(const char* name) {
    if (out.back() != '{') out += ',';
    out += '"';
    out += name;
    out += "\":";
  }

  // Before an array element.
  void element() {
    if (out.back() != '[') out += ',';
  }

  // A JSON string. Well-formed UTF-8 is copied; control characters, '"' and '\' are escaped.
  // SQL text may hold any bytes (a client can send Latin-1 or binary in a string literal): each
  // byte that is not part of a well-formed UTF-8 sequence becomes \u00XX of the byte, i.e. is
  // read as Latin-1, so the output is always valid JSON (the mapping is lossy: 0xE9 and a
  // well-formed "é" look the same; the span still locates the original bytes).
  void quoted(std::string_view s) {
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        switch (c) {
          case '"':
            out += "\\\"";
            break;
          case '\\':
            out += "\\\\";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\b':
            out += "\\b";
            break;
          case '\f':
            out += "\\f";
            break;
          default:
            if (c < 0x20) {
              escapedByte(c);
            } else {
              out += static_cast<char>(c);
            }
        }
        ++i;
        continue;
      }
      size_t len = utf8SequenceLength(s, i);
      if (len == 0) {
        escapedByte(c);
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
    }
    out += '"';
  }

  void escapedByte(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    out += buf;
  }

  void number(uint32_t v) { out += std::to_string(v); }

  void span(Span sp) {
    out += '[';
    number(sp.begin);
    out += ',';
    number(sp.end);
    out += ']';
  }

  void spanField(const char* name, Span sp) {
    key(name);
    span(sp);
  }

  // A span that is not always there (e.g. columnsSpan): left out when empty.
  void optionalSpanField(const char* name, Span sp) {
    if (!sp.empty()) spanField(name, sp);
  }

  void boolField(const char* name, bool v, bool always = false) {
    if (!v && !always) return;
    key(name);
    out += v ? "true" : "false";
  }

  void uintField(const char* name, uint32_t v) {
    key(name);
    number(v);
  }

  void stringField(const char* name, std::string_view v) {
    key(name);
    quoted(v);
  }

  void name(const Name& n) {
    out += '{';
    key("value");
    quoted(n.value);
    spanField("span", n.span);
    out += '}';
  }

  void nameField(const char* field, const Name& n, bool always = false) {
    if (n.empty() && !always) return;
    key(field);
    name(n);
  }

  void nameList(const char* field, const std::vector<Name>& names) {
    if (names.empty()) return;
    key(field);
    out += '[';
    for (const Name& n : names) {
      element();
      name(n);
    }
    out += ']';
  }

  // ---- expressions ----

  void exprField(const char* field, ExprId id) {
    if (id == kNone) return;
    key(field);
    expr(id);
  }

  void exprList(const char* field, const std::vector<ExprId>& ids) {
    if (ids.empty()) return;
    key(field);
    out += '[';
    for (ExprId id : ids) {
      element();
      expr(id);
    }
    out += ']';
  }

  // Recursive: the builder refuses expressions deeper than kMaxExprDepth, and operator chains
  // are flat (see ast.h).
  void expr(ExprId id) {
    const Expr& e = s_.expr(id);
    out += '{';
    stringField("expr", exprKindName(e.kind));
    spanField("span", e.span);
    if (e.depth != 1) uintField("depth", e.depth);
    nameField("schema", e.schema);
    nameField("table", e.table);
    nameField("column", e.column);
    if (e.kind == ExprKind::Literal) {
      stringField("type", literalTypeName(e.literalType));
      stringField("value", e.value);
    } else if (!e.value.empty()) {
      stringField("value", e.value);
    }
    if (!e.charset.empty()) stringField("charset", e.charset);
    if (e.literalIndex != kNone) uintField("literalIndex", e.literalIndex);
    if (e.paramIndex != kNone) uintField("paramIndex", e.paramIndex);
    if (e.kind == ExprKind::UnaryOp) stringField("op", unaryName(e.unaryOp));
    if (e.kind == ExprKind::BinaryOp) stringField("op", toString(e.binaryOp));
    if (e.quantifier != Quantifier::None) stringField("quantifier", quantifierName(e.quantifier));
    if (e.kind == ExprKind::Is) stringField("test", isTestName(e.isTest));
    boolField("negated", e.negated);
    if (!e.name.empty()) stringField("name", e.name);
    if (e.aggregate != AggregateKind::None) stringField("aggregate", toString(e.aggregate));
    boolField("distinct", e.distinct);
    boolField("star", e.star);
    boolField("over", e.over);
    boolField("hasOperand", e.hasOperand);
    boolField("hasElse", e.hasElse);
    boolField("systemVariable", e.systemVariable);
    exprList("args", e.args);
    exprField("escape", e.escape);
    selectField("subquery", e.subquery);
    out += '}';
  }

  // ---- tables ----

  void tableRefList(const char* field, const std::vector<TableRefId>& ids) {
    if (ids.empty()) return;
    key(field);
    out += '[';
    for (TableRefId id : ids) {
      element();
      tableRef(id);
    }
    out += ']';
  }

  void tableRefField(const char* field, TableRefId id) {
    if (id == kNone) return;
    key(field);
    tableRef(id);
  }

  // `a JOIN b JOIN c ...` is a left-deep chain as long as the statement (the grammar reads it
  // in a loop, no nesting limit applies), so the left spine is walked in a loop: open every
  // join down to the leftmost operand, write it, then close the joins inside out. Right
  // operands and other nesting need parentheses, which the parser limits.
  void tableRef(TableRefId id) {
    std::vector<TableRefId> spine;
    while (id != kNone && s_.tableRef(id).kind == TableRef::Kind::Join) {
      spine.push_back(id);
      tableRefHead(s_.tableRef(id));
      key("left");
      id = s_.tableRef(id).left;
    }
    if (id == kNone) {
      out += "null";
    } else {
      const TableRef& leaf = s_.tableRef(id);
      tableRefHead(leaf);
      tableRefTail(leaf);
    }
    for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
      tableRefTail(s_.tableRef(*it));
    }
  }

  // Everything before "left".
  void tableRefHead(const TableRef& t) {
    out += '{';
    stringField("kind", tableRefKindName(t.kind));
    spanField("span", t.span);
    nameField("schema", t.schema);
    nameField("name", t.name);
    nameField("alias", t.alias);
    boolField("lateral", t.lateral);
    if (t.kind == TableRef::Kind::Join || t.joinType != JoinType::Inner) {
      stringField("joinType", joinTypeName(t.joinType));
    }
    selectField("subquery", t.subquery);
  }

  // Everything after "left", and the closing brace.
  void tableRefTail(const TableRef& t) {
    tableRefField("right", t.right);
    exprField("on", t.on);
    nameList("usingColumns", t.usingColumns);
    tableRefList("members", t.members);
    out += '}';
  }

  // ---- query blocks ----

  void selectField(const char* field, SelectId id) {
    if (id == kNone) return;
    key(field);
    select(id);
  }

  void orderItems(const char* field, const std::vector<OrderItem>& items) {
    if (items.empty()) return;
    key(field);
    out += '[';
    for (const OrderItem& o : items) {
      element();
      out += '{';
      spanField("span", o.span);
      exprField("expr", o.expr);
      if (o.position != 0) uintField("position", o.position);
      boolField("desc", o.desc);
      boolField("explicitDirection", o.explicitDirection);
      out += '}';
    }
    out += ']';
  }

  void limit(const Limit& l) {
    if (!l.present() && l.span.empty() && l.offset == kNone) return;
    key("limit");
    out += '{';
    spanField("span", l.span);
    exprField("offset", l.offset);
    exprField("count", l.count);
    out += '}';
  }

  void select(SelectId id) {
    const Select& q = s_.query(id);
    out += '{';
    stringField("kind", selectKindName(q.kind));
    spanField("span", q.span);
    boolField("recursive", q.recursive);
    if (!q.with.empty()) {
      key("with");
      out += '[';
      for (const Cte& c : q.with) {
        element();
        out += '{';
        spanField("span", c.span);
        nameField("name", c.name, /*always=*/true);
        nameList("columns", c.columns);
        selectField("query", c.query);
        out += '}';
      }
      out += ']';
    }
    boolField("distinct", q.distinct);
    if (!q.items.empty()) {
      key("items");
      out += '[';
      for (const SelectItem& item : q.items) {
        element();
        out += '{';
        stringField("kind", selectItemKindName(item.kind));
        spanField("span", item.span);
        exprField("expr", item.expr);
        nameField("alias", item.alias);
        nameField("schema", item.schema);
        nameField("table", item.table);
        out += '}';
      }
      out += ']';
    }
    tableRefList("from", q.from);
    exprField("where", q.where);
    orderItems("groupBy", q.groupBy);
    boolField("withRollup", q.withRollup);
    exprField("having", q.having);
    orderItems("orderBy", q.orderBy);
    limit(q.limit);
    if (q.lock != LockKind::None) stringField("lock", lockName(q.lock));
    if (!q.operands.empty()) {
      key("operands");
      out += '[';
      for (SelectId operand : q.operands) {
        element();
        select(operand);
      }
      out += ']';
    }
    if (!q.setOps.empty()) {
      key("setOps");
      out += '[';
      for (SetOp op : q.setOps) {
        element();
        quoted(setOpName(op));
      }
      out += ']';
    }
    exprList("rows", q.rows);
    tableRefField("table", q.table);
    out += '}';
  }

  // ---- statement bodies ----

  void assignments(const char* field, const std::vector<Assignment>& list) {
    if (list.empty()) return;
    key(field);
    out += '[';
    for (const Assignment& a : list) {
      element();
      out += '{';
      spanField("span", a.span);
      exprField("column", a.column);
      exprField("value", a.value);
      out += '}';
    }
    out += ']';
  }

  void insert() {
    const InsertStatement& ins = s_.insert;
    key("insert");
    out += '{';
    boolField("ignore", ins.ignore);
    tableRefField("table", ins.table);
    exprList("columns", ins.columns);
    optionalSpanField("columnsSpan", ins.columnsSpan);
    stringField("source", insertSourceName(ins.source));
    optionalSpanField("valuesSpan", ins.valuesSpan);
    if (!ins.rows.empty()) {
      key("rows");
      out += '[';
      for (const ValueRow& row : ins.rows) {
        element();
        out += '{';
        spanField("span", row.span);
        key("values");
        out += '[';
        for (ExprId v : row.values) {
          element();
          expr(v);
        }
        out += "]}";
      }
      out += ']';
    }
    assignments("set", ins.set);
    selectField("select", ins.select);
    assignments("onDuplicate", ins.onDuplicate);
    optionalSpanField("onDuplicateSpan", ins.onDuplicateSpan);
    out += '}';
  }

  void update() {
    const UpdateStatement& u = s_.update;
    key("update");
    out += '{';
    boolField("ignore", u.ignore);
    tableRefList("tables", u.tables);
    assignments("set", u.set);
    exprField("where", u.where);
    orderItems("orderBy", u.orderBy);
    limit(u.limit);
    out += '}';
  }

  void del() {
    const DeleteStatement& d = s_.del;
    key("delete");
    out += '{';
    boolField("ignore", d.ignore);
    boolField("multiTable", d.multiTable);
    tableRefList("targets", d.targets);
    tableRefList("tables", d.tables);
    exprField("where", d.where);
    orderItems("orderBy", d.orderBy);
    limit(d.limit);
    out += '}';
  }

  void set() {
    key("set");
    out += '{';
    key("items");
    out += '[';
    for (const SetItem& item : s_.set.items) {
      element();
      out += '{';
      stringField("kind", setItemKindName(item.kind));
      spanField("span", item.span);
      if (item.kind == SetItem::Kind::Variable || item.scope != VariableScope::Session) {
        stringField("scope", scopeName(item.scope));
      }
      nameField("name", item.name);
      exprField("value", item.value);
      if (!item.valueKeyword.empty()) stringField("valueKeyword", item.valueKeyword);
      optionalSpanField("valueSpan", item.valueSpan);
      // An empty charset means DEFAULT, so it is always shown for NAMES and CHARACTER SET.
      nameField("charset", item.charset,
                item.kind == SetItem::Kind::Names || item.kind == SetItem::Kind::CharacterSet);
      nameField("collation", item.collation);
      out += '}';
    }
    out += ']';
    optionalSpanField("forStatement", s_.set.forStatement);
    out += '}';
  }

  void transaction() {
    const TransactionStatement& t = s_.transaction;
    key("transaction");
    out += '{';
    stringField("tclKind", tclKindName(s_.tclKind));
    if (t.access != AccessMode::None) stringField("access", accessName(t.access));
    boolField("consistentSnapshot", t.consistentSnapshot);
    if (t.scope != TransactionStatement::Scope::Next || s_.tclKind == TclKind::SetTransaction) {
      stringField("scope", transactionScopeName(t.scope));
    }
    if (t.isolation != IsolationLevel::None) stringField("isolation", isolationName(t.isolation));
    if (t.chain != Completion::None) stringField("chain", completionName(t.chain));
    if (t.release != Completion::None) stringField("release", completionName(t.release));
    nameField("savepoint", t.savepoint);
    out += '}';
  }

  void show() {
    const ShowStatement& sh = s_.show;
    key("show");
    out += '{';
    stringField("kind", showKindName(sh.kind));
    boolField("full", sh.full);
    nameField("database", sh.database);
    if (sh.table != kNone) tableRefField("table", sh.table);
    exprField("like", sh.like);
    optionalSpanField("filterSpan", sh.filterSpan);
    out += '}';
  }

  void ddl() {
    const DdlStatement& d = s_.ddl;
    boolField("temporary", d.temporary);
    boolField("ifExists", d.ifExists);
    boolField("ifNotExists", d.ifNotExists);
    if (!d.tables.empty()) {
      key("tables");
      out += '[';
      for (const DdlTable& t : d.tables) {
        element();
        out += '{';
        stringField("role", ddlRoleName(t.role));
        tableRefField("table", t.table);
        out += '}';
      }
      out += ']';
    }
    nameList("indexes", d.indexes);
    nameField("database", d.database);
    selectField("query", d.query);
  }

  void prepared() {
    const PreparedStatementCommand& p = s_.prepared;
    key("prepared");
    out += '{';
    nameField("name", p.name, /*always=*/true);
    exprField("text", p.text);
    nameField("fromVariable", p.fromVariable);
    nameList("usingVariables", p.usingVariables);
    out += '}';
  }

  const Statement& s_;
};

}  // namespace

std::string toJson(const Statement& statement) {
  JsonWriter w(statement);
  w.statement();
  return std::move(w.out);
}

std::string toJsonString(std::string_view text) {
  Statement none;
  JsonWriter w(none);
  w.string(text);
  return std::move(w.out);
}

}  // namespace shardproxy::parser::ast
