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
// (kNone, empty, false, None) are left out; everything that is set appears. Which fields, their
// keys and their order are those of visitFields() (ast_visitor.h): a field added there appears
// here.
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/json_text.h"
#include "parser/ast.h"
#include "parser/ast_visitor.h"

namespace shardproxy::parser::ast {
namespace {

const char* enumName(ExprKind kind) {
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

const char* enumName(LiteralType type) {
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

const char* enumName(UnaryOperator op) {
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

const char* enumName(IsTest test) {
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

const char* enumName(Quantifier q) {
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

const char* enumName(JoinType type) {
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

const char* enumName(TableRef::Kind kind) {
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

const char* enumName(Select::Kind kind) {
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

const char* enumName(SelectItem::Kind kind) {
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

const char* enumName(LockKind lock) {
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

const char* enumName(SetOp op) {
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

const char* enumName(InsertStatement::Source source) {
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

const char* enumName(DdlKind kind) {
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

const char* enumName(DdlTable::Role role) {
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

const char* enumName(ObjectName::Kind kind) {
  switch (kind) {
    case ObjectName::Kind::Table:
      return "table";
    case ObjectName::Kind::Column:
      return "column";
    case ObjectName::Kind::Wildcard:
      return "wildcard";
    case ObjectName::Kind::Routine:
      return "routine";
    case ObjectName::Kind::Database:
      return "database";
    case ObjectName::Kind::FileRead:
      return "fileRead";
    case ObjectName::Kind::Engine:
      return "engine";
  }
  return "?";
}

const char* enumName(Reach reach) {
  switch (reach) {
    case Reach::Database:
      return "database";
    case Reach::Server:
      return "server";
    case Reach::ServerState:
      return "serverState";
  }
  return "?";
}

const char* enumName(TclKind kind) {
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

const char* enumName(ShowStatement::Kind kind) {
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
    case ShowStatement::Kind::Processlist:
      return "processlist";
    case ShowStatement::Kind::TableStatus:
      return "tableStatus";
    case ShowStatement::Kind::Warnings:
      return "warnings";
    case ShowStatement::Kind::Status:
      return "status";
    case ShowStatement::Kind::Other:
      return "other";
  }
  return "?";
}

const char* enumName(VariableScope scope) {
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

const char* enumName(SetItem::Kind kind) {
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

const char* enumName(IsolationLevel level) {
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

const char* enumName(AccessMode mode) {
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

const char* enumName(Completion c) {
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

const char* enumName(TransactionStatement::Scope scope) {
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

// The names toJson() gives these enums are the ones describe() prints.
const char* enumName(StatementKind kind) { return toString(kind); }
const char* enumName(BinaryOperator op) { return toString(op); }
const char* enumName(AggregateKind kind) { return toString(kind); }

// Forwards to `inner` the fields of a node before, or after, the field at `split` (a join's
// "left": see JsonWriter::tableRef()).
template <class V>
class FieldRange {
 public:
  FieldRange(V& inner, const void* split, bool after)
      : inner_(inner), split_(split), after_(after) {}

  template <class T>
  void operator()(const char* key, const T& field, bool present) {
    const void* address = &field;
    if constexpr (kIsRef<T>) address = &field.value;
    if (address == split_) {
      reached_ = true;
    } else if (reached_ == after_) {
      inner_(key, field, present);
    }
  }

 private:
  V& inner_;
  const void* split_;
  bool after_;
  bool reached_ = false;
};

// Writes the fields visitFields() enumerates (ast_visitor.h), the present ones, each as its type
// says; references are written as the nested object they refer to.
class JsonWriter {
 public:
  explicit JsonWriter(const Statement& s) : s_(s) {}

  std::string out;

  void statement() { value(s_); }

  // A JSON string on its own (see quoted()).
  void string(std::string_view s) { quoted(s); }

  // The visitor: one field of the node being written.
  template <class T>
  void operator()(const char* name, const T& field, bool present) {
    if (!present) return;
    key(name);
    value(field);
  }

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

  // A JSON string (common/json_text.h): SQL text may hold any bytes (a client can send Latin-1
  // or binary in a string literal), and each byte that is not part of well-formed UTF-8 becomes
  // \u00XX, so the output is always valid JSON (the span still locates the original bytes).
  void quoted(std::string_view s) { appendJsonString(out, s); }

  // ---- values ----

  // Spans are [begin, end]; nodes and nested values are objects of their fields.
  template <class T>
  void value(const T& v) {
    if constexpr (std::is_same_v<T, Span>) {
      out += '[';
      out += std::to_string(v.begin);
      out += ',';
      out += std::to_string(v.end);
      out += ']';
    } else if constexpr (std::is_same_v<T, bool>) {
      out += v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      out += std::to_string(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      quoted(v);
    } else if constexpr (std::is_enum_v<T>) {
      quoted(enumName(v));
    } else if constexpr (kIsVector<T>) {
      out += '[';
      for (const auto& element : v) {
        this->element();
        value(element);
      }
      out += ']';
    } else {
      static_assert(Composite<T>, "a field type toJson() does not know");
      out += '{';
      visitFields(v, *this);
      out += '}';
    }
  }

  template <class Node, class Id>
  void value(const Ref<Node, Id>& r) {
    if constexpr (kIsVector<std::remove_const_t<Id>>) {
      out += '[';
      for (uint32_t id : r.value) {
        element();
        node<Node>(id);
      }
      out += ']';
    } else {
      node<Node>(r.value);
    }
  }

  // Recursive: the builder refuses expressions deeper than kMaxExprDepth, and operator chains
  // are flat (see ast.h).
  template <class Node>
  void node(uint32_t id) {
    if constexpr (std::is_same_v<Node, Expr>) {
      value(s_.expr(id));
    } else if constexpr (std::is_same_v<Node, Select>) {
      value(s_.query(id));
    } else {
      static_assert(std::is_same_v<Node, TableRef>);
      tableRef(id);
    }
  }

  // `a JOIN b JOIN c ...` is a left-deep chain as long as the statement (the grammar reads it
  // in a loop, no nesting limit applies), so the left spine is walked in a loop: open every
  // join down to the leftmost operand, write it, then close the joins inside out. Right
  // operands and other nesting need parentheses, which the parser limits.
  void tableRef(TableRefId id) {
    std::vector<TableRefId> spine;
    while (id != kNone && s_.tableRef(id).kind == TableRef::Kind::Join) {
      const TableRef& join = s_.tableRef(id);
      spine.push_back(id);
      out += '{';
      FieldRange<JsonWriter> head(*this, &join.left, /*after=*/false);
      visitFields(join, head);
      key("left");
      id = join.left;
    }
    if (id == kNone) {
      out += "null";
    } else {
      value(s_.tableRef(id));
    }
    for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
      const TableRef& join = s_.tableRef(*it);
      FieldRange<JsonWriter> tail(*this, &join.left, /*after=*/true);
      visitFields(join, tail);
      out += '}';
    }
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
