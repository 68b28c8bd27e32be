// describe(): a compact S-expression dump of the AST, for tests and the `parse` tool.
// Hand-written per kind rather than over visitFields() (ast_visitor.h): each kind has its own
// shape (operators first, ORDER BY positions, roles wrapping DDL tables) and shows only some
// fields and offsets, which tests compare exactly.
#include <string>

#include "parser/ast.h"

namespace shardproxy::parser::ast {

const char* toString(StatementKind kind) {
  switch (kind) {
    case StatementKind::Select:
      return "select";
    case StatementKind::Insert:
      return "insert";
    case StatementKind::Replace:
      return "replace";
    case StatementKind::Update:
      return "update";
    case StatementKind::Delete:
      return "delete";
    case StatementKind::Ddl:
      return "ddl";
    case StatementKind::Tcl:
      return "tcl";
    case StatementKind::Set:
      return "set";
    case StatementKind::Use:
      return "use";
    case StatementKind::Show:
      return "show";
    case StatementKind::Explain:
      return "explain";
    case StatementKind::Kill:
      return "kill";
    case StatementKind::Call:
      return "call";
    case StatementKind::Do:
      return "do";
    case StatementKind::LoadData:
      return "load-data";
    case StatementKind::Dcl:
      return "dcl";
    case StatementKind::Prepare:
      return "prepare";
    case StatementKind::Execute:
      return "execute";
    case StatementKind::Deallocate:
      return "deallocate";
    case StatementKind::Handler:
      return "handler";
    case StatementKind::Other:
      return "other";
  }
  return "?";
}

const char* toString(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::And:
      return "and";
    case BinaryOperator::Or:
      return "or";
    case BinaryOperator::Xor:
      return "xor";
    case BinaryOperator::Eq:
      return "=";
    case BinaryOperator::NullSafeEq:
      return "<=>";
    case BinaryOperator::Ne:
      return "<>";
    case BinaryOperator::Lt:
      return "<";
    case BinaryOperator::Le:
      return "<=";
    case BinaryOperator::Gt:
      return ">";
    case BinaryOperator::Ge:
      return ">=";
    case BinaryOperator::Add:
      return "+";
    case BinaryOperator::Sub:
      return "-";
    case BinaryOperator::Mul:
      return "*";
    case BinaryOperator::Div:
      return "/";
    case BinaryOperator::IntDiv:
      return "div";
    case BinaryOperator::Mod:
      return "%";
    case BinaryOperator::BitAnd:
      return "&";
    case BinaryOperator::BitOr:
      return "|";
    case BinaryOperator::BitXor:
      return "^";
    case BinaryOperator::ShiftLeft:
      return "<<";
    case BinaryOperator::ShiftRight:
      return ">>";
    case BinaryOperator::Like:
      return "like";
    case BinaryOperator::Regexp:
      return "regexp";
    case BinaryOperator::SoundsLike:
      return "sounds-like";
    case BinaryOperator::JsonExtract:
      return "->";
    case BinaryOperator::JsonUnquoteExtract:
      return "->>";
    case BinaryOperator::Assign:
      return ":=";
  }
  return "?";
}

const char* toString(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::None:
      return "none";
    case AggregateKind::Count:
      return "count";
    case AggregateKind::Sum:
      return "sum";
    case AggregateKind::Min:
      return "min";
    case AggregateKind::Max:
      return "max";
    case AggregateKind::Avg:
      return "avg";
    case AggregateKind::GroupConcat:
      return "group_concat";
    case AggregateKind::BitAnd:
      return "bit_and";
    case AggregateKind::BitOr:
      return "bit_or";
    case AggregateKind::BitXor:
      return "bit_xor";
    case AggregateKind::Std:
      return "std";
    case AggregateKind::Stddev:
      return "stddev";
    case AggregateKind::StddevPop:
      return "stddev_pop";
    case AggregateKind::StddevSamp:
      return "stddev_samp";
    case AggregateKind::Variance:
      return "variance";
    case AggregateKind::VarPop:
      return "var_pop";
    case AggregateKind::VarSamp:
      return "var_samp";
    case AggregateKind::JsonArrayAgg:
      return "json_arrayagg";
    case AggregateKind::JsonObjectAgg:
      return "json_objectagg";
  }
  return "?";
}

namespace {

const char* literalTypeName(LiteralType t) {
  switch (t) {
    case LiteralType::Integer:
      return "int";
    case LiteralType::Decimal:
      return "dec";
    case LiteralType::Double:
      return "double";
    case LiteralType::String:
      return "str";
    case LiteralType::Hex:
      return "hex";
    case LiteralType::Bit:
      return "bit";
    case LiteralType::Boolean:
      return "bool";
    case LiteralType::Null:
      return "null";
    case LiteralType::Temporal:
      return "temporal";
  }
  return "?";
}

const char* setOpName(SetOp op) {
  switch (op) {
    case SetOp::Union:
      return "union";
    case SetOp::UnionAll:
      return "union-all";
    case SetOp::Intersect:
      return "intersect";
    case SetOp::IntersectAll:
      return "intersect-all";
    case SetOp::Except:
      return "except";
    case SetOp::ExceptAll:
      return "except-all";
  }
  return "?";
}

const char* joinName(JoinType t) {
  switch (t) {
    case JoinType::Inner:
      return "join";
    case JoinType::Cross:
      return "cross-join";
    case JoinType::Left:
      return "left-join";
    case JoinType::Right:
      return "right-join";
    case JoinType::Straight:
      return "straight-join";
    case JoinType::Natural:
      return "natural-join";
    case JoinType::NaturalLeft:
      return "natural-left-join";
    case JoinType::NaturalRight:
      return "natural-right-join";
  }
  return "?";
}

class Printer {
 public:
  Printer(const Statement& s, bool withOffsets) : s_(s), withOffsets_(withOffsets) {}

  std::string out;

  void offsets(Span span) {
    if (!withOffsets_) {
      return;
    }
    out += " @";
    out += std::to_string(span.begin);
    out += ':';
    out += std::to_string(span.end);
  }

  void name(const Name& n) { out += n.value; }

  void qualified(const Name& schema, const Name& table, const Name& column) {
    if (!schema.empty()) {
      name(schema);
      out += '.';
    }
    if (!table.empty()) {
      name(table);
      if (!column.empty()) {
        out += '.';
      }
    }
    name(column);
  }

  void args(const std::vector<ExprId>& ids, size_t from = 0) {
    for (size_t i = from; i < ids.size(); ++i) {
      out += ' ';
      expr(ids[i]);
    }
  }

  void expr(ExprId id) {
    if (id == kNone) {
      out += "<none>";
      return;
    }
    const Expr& e = s_.expr(id);
    switch (e.kind) {
      case ExprKind::Column:
        out += "(col ";
        qualified(e.schema, e.table, e.column);
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::Literal:
        out += "(lit ";
        out += literalTypeName(e.literalType);
        out += ' ';
        if (!e.charset.empty()) {
          out += e.charset;
        }
        if (e.literalType == LiteralType::String || e.literalType == LiteralType::Temporal) {
          out += '\'' + e.value + '\'';
        } else {
          out += e.value;
        }
        out += " #" + std::to_string(e.literalIndex);
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::ParameterMarker:
        out += "(? #" + std::to_string(e.paramIndex);
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::UnaryOp: {
        static const char* kNames[] = {"neg", "plus", "~", "not", "binary"};
        out += '(';
        out += kNames[static_cast<int>(e.unaryOp)];
        break;
      }
      case ExprKind::BinaryOp:
        out += '(';
        if (e.negated) {
          out += "not-";
        }
        out += toString(e.binaryOp);
        if (e.quantifier != Quantifier::None) {
          out += e.quantifier == Quantifier::All ? " all" : " any";
        }
        break;
      case ExprKind::Between:
        out += e.negated ? "(not-between" : "(between";
        break;
      case ExprKind::In:
        out += e.negated ? "(not-in" : "(in";
        args(e.args);
        if (e.subquery != kNone) {
          out += ' ';
          select(e.subquery);
        }
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::Is: {
        static const char* kTests[] = {"null", "true", "false", "unknown"};
        out += e.negated ? "(is-not-" : "(is-";
        out += kTests[static_cast<int>(e.isTest)];
        break;
      }
      case ExprKind::Function:
        out += "(fn " + e.name;
        if (e.aggregate != AggregateKind::None) {
          out += " agg=";
          out += toString(e.aggregate);
        }
        if (e.distinct) {
          out += " distinct";
        }
        if (e.star) {
          out += " *";
        }
        if (e.over) {
          out += " over";
        }
        break;
      case ExprKind::Case:
        out += "(case";
        if (e.hasOperand) {
          out += " operand";
        }
        if (e.hasElse) {
          out += " else";
        }
        break;
      case ExprKind::Cast:
        out += "(cast " + e.name;
        break;
      case ExprKind::Subquery:
      case ExprKind::Exists:
        out += e.kind == ExprKind::Exists ? "(exists " : "(subquery ";
        select(e.subquery);
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::Variable:
        out += "(var " + e.name;
        offsets(e.span);
        out += ')';
        return;
      case ExprKind::Interval:
        out += "(interval " + e.name;
        break;
      case ExprKind::Collate:
        out += "(collate " + e.name;
        break;
      case ExprKind::Row:
        out += "(row";
        break;
      case ExprKind::Default:
        out += "(default";
        break;
      case ExprKind::Other:
        out += "(other";
        break;
    }
    args(e.args);
    if (e.escape != kNone) {
      out += " escape ";
      expr(e.escape);
    }
    orderItems("order-by", e.orderBy);
    if (e.separator != kNone) {
      out += " separator ";
      expr(e.separator);
    }
    offsets(e.span);
    out += ')';
  }

  void orderItems(const char* label, const std::vector<OrderItem>& items) {
    if (items.empty()) {
      return;
    }
    out += " (";
    out += label;
    for (const OrderItem& o : items) {
      out += ' ';
      if (o.position != 0) {
        out += "(pos " + std::to_string(o.position) + (o.desc ? " desc)" : ")");
      } else if (o.explicitDirection) {
        out += o.desc ? "(desc " : "(asc ";
        expr(o.expr);
        out += ')';
      } else {
        expr(o.expr);
      }
    }
    out += ')';
  }

  void limit(const Limit& l) {
    if (!l.present()) {
      return;
    }
    out += " (limit";
    if (l.offset != kNone) {
      out += " offset=";
      expr(l.offset);
    }
    out += ' ';
    expr(l.count);
    out += ')';
  }

  void table(TableRefId id) {
    const TableRef& t = s_.tableRef(id);
    switch (t.kind) {
      case TableRef::Kind::Table:
        out += "(table ";
        if (!t.schema.empty()) {
          name(t.schema);
          out += '.';
        }
        name(t.name);
        if (!t.alias.empty()) {
          out += " as ";
          name(t.alias);
        }
        break;
      case TableRef::Kind::Derived:
        out += "(derived";
        if (!t.alias.empty()) {
          out += " as ";
          name(t.alias);
        }
        out += ' ';
        select(t.subquery);
        break;
      case TableRef::Kind::Join:
        out += '(';
        out += joinName(t.joinType);
        out += ' ';
        table(t.left);
        out += ' ';
        table(t.right);
        if (t.on != kNone) {
          out += " (on ";
          expr(t.on);
          out += ')';
        }
        if (!t.usingColumns.empty()) {
          out += " (using";
          for (const Name& n : t.usingColumns) {
            out += ' ';
            name(n);
          }
          out += ')';
        }
        break;
      case TableRef::Kind::Other:
        out += "(other-table";
        for (TableRefId m : t.members) {
          out += ' ';
          table(m);
        }
        break;
    }
    offsets(t.span);
    out += ')';
  }

  void tables(const char* label, const std::vector<TableRefId>& ids) {
    if (ids.empty()) {
      return;
    }
    out += " (";
    out += label;
    for (TableRefId id : ids) {
      out += ' ';
      table(id);
    }
    out += ')';
  }

  void select(SelectId id) {
    const Select& s = s_.query(id);
    out += "(";
    if (!s.with.empty()) {
      out += s.recursive ? "with-recursive" : "with";
      for (const Cte& c : s.with) {
        out += " (cte ";
        name(c.name);
        out += ' ';
        select(c.query);
        out += ')';
      }
      out += ' ';
    }
    switch (s.kind) {
      case Select::Kind::Query:
        out += "select";
        if (s.distinct) {
          out += " distinct";
        }
        out += " (items";
        for (const SelectItem& item : s.items) {
          out += ' ';
          if (item.kind == SelectItem::Kind::Star) {
            out += '*';
          } else if (item.kind == SelectItem::Kind::TableStar) {
            qualified(item.schema, item.table, Name{});
            out += ".*";
          } else if (!item.alias.empty()) {
            out += "(as ";
            expr(item.expr);
            out += ' ';
            name(item.alias);
            offsets(item.alias.span);
            out += ')';
          } else {
            expr(item.expr);
          }
        }
        out += ')';
        tables("from", s.from);
        if (s.where != kNone) {
          out += " (where ";
          expr(s.where);
          out += ')';
        }
        orderItems("group-by", s.groupBy);
        if (s.withRollup) {
          out += " rollup";
        }
        if (s.having != kNone) {
          out += " (having ";
          expr(s.having);
          out += ')';
        }
        break;
      case Select::Kind::Compound:
        out += "compound ";
        for (size_t i = 0; i < s.operands.size(); ++i) {
          if (i > 0) {
            out += ' ';
            out += setOpName(s.setOps[i - 1]);
            out += ' ';
          }
          select(s.operands[i]);
        }
        break;
      case Select::Kind::Values:
        out += "values";
        args(s.rows);
        break;
      case Select::Kind::Table:
        out += "table-stmt ";
        table(s.table);
        break;
    }
    orderItems("order-by", s.orderBy);
    limit(s.limit);
    switch (s.lock) {
      case LockKind::None:
        break;
      case LockKind::ForUpdate:
        out += " for-update";
        break;
      case LockKind::ForShare:
        out += " for-share";
        break;
      case LockKind::LockInShareMode:
        out += " lock-in-share-mode";
        break;
    }
    out += ')';
  }

  void assignments(const char* label, const std::vector<Assignment>& list) {
    if (list.empty()) {
      return;
    }
    out += " (";
    out += label;
    for (const Assignment& a : list) {
      out += " (";
      expr(a.column);
      out += ' ';
      expr(a.value);
      out += ')';
    }
    out += ')';
  }

  void statement() {
    if (s_.hasHint) {
      out += "(hint '" + s_.hint + "') ";
    }
    body();
    if (s_.usesUserVariables) {
      out += " (user-variables)";
    }
  }

  void setItem(const SetItem& item) {
    static const char* kScope[] = {"session", "global", "persist", "persist-only", "user"};
    switch (item.kind) {
      case SetItem::Kind::Variable:
        out += "(var ";
        out += kScope[static_cast<int>(item.scope)];
        out += ' ';
        name(item.name);
        offsets(item.name.span);
        out += ' ';
        if (item.value != kNone) {
          expr(item.value);
        } else {
          out += item.valueKeyword;
          offsets(item.valueSpan);
        }
        break;
      case SetItem::Kind::Names:
      case SetItem::Kind::CharacterSet:
        out += item.kind == SetItem::Kind::Names ? "(names " : "(charset ";
        if (item.charset.empty()) {
          out += "default";
        } else {
          name(item.charset);
        }
        if (!item.collation.empty()) {
          out += " collate ";
          name(item.collation);
        }
        break;
      case SetItem::Kind::Password:
        out += "(password";
        break;
    }
    offsets(item.span);
    out += ')';
  }

  void transactionOptions() {
    const TransactionStatement& t = s_.transaction;
    static const char* kAccess[] = {"", " read-only", " read-write"};
    static const char* kIsolation[] = {"", " read-uncommitted", " read-committed",
                                       " repeatable-read", " serializable"};
    static const char* kScope[] = {"", " session", " global"};
    static const char* kChain[] = {"", " chain", " no-chain"};
    static const char* kRelease[] = {"", " release", " no-release"};
    out += kScope[static_cast<int>(t.scope)];
    out += kIsolation[static_cast<int>(t.isolation)];
    out += kAccess[static_cast<int>(t.access)];
    if (t.consistentSnapshot) {
      out += " consistent-snapshot";
    }
    out += kChain[static_cast<int>(t.chain)];
    out += kRelease[static_cast<int>(t.release)];
    if (!t.savepoint.empty()) {
      out += ' ';
      name(t.savepoint);
      offsets(t.savepoint.span);
    }
  }

  // After the DDL kind: flags, then (database d) (tables ...) (indexes ...) (as <query>). A
  // Target table prints as (table ...), other roles wrap it: (like (table ...)).
  void ddl() {
    const DdlStatement& d = s_.ddl;
    static const char* kRole[] = {"",      "like",     "rename-to", "references",
                                  "query", "exchange", "union"};
    if (d.temporary) {
      out += " temporary";
    }
    if (d.ifExists) {
      out += " if-exists";
    }
    if (d.ifNotExists) {
      out += " if-not-exists";
    }
    if (!d.database.empty()) {
      out += " (database ";
      name(d.database);
      offsets(d.database.span);
      out += ')';
    }
    if (!d.tables.empty()) {
      out += " (tables";
      for (const DdlTable& t : d.tables) {
        out += ' ';
        if (t.role == DdlTable::Role::Target) {
          table(t.table);
        } else {
          out += '(';
          out += kRole[static_cast<int>(t.role)];
          out += ' ';
          table(t.table);
          out += ')';
        }
      }
      out += ')';
    }
    if (!d.indexes.empty()) {
      out += " (indexes";
      for (const Name& n : d.indexes) {
        out += " (name ";
        name(n);
        offsets(n.span);
        out += ')';
      }
      out += ')';
    }
    if (d.query != kNone) {
      out += " (as ";
      select(d.query);
      out += ')';
    }
  }

  void body() {
    switch (s_.kind) {
      case StatementKind::Select:
        select(s_.select);
        return;
      case StatementKind::Insert:
      case StatementKind::Replace: {
        const InsertStatement& ins = s_.insert;
        out += '(';
        out += toString(s_.kind);
        if (ins.ignore) {
          out += " ignore";
        }
        out += ' ';
        table(ins.table);
        if (!ins.columns.empty()) {
          out += " (columns";
          args(ins.columns);
          out += ')';
        }
        if (ins.source == InsertStatement::Source::Values) {
          out += " (values";
          for (const ValueRow& row : ins.rows) {
            out += " (row";
            args(row.values);
            offsets(row.span);
            out += ')';
          }
          offsets(ins.valuesSpan);
          out += ')';
        }
        assignments("set", ins.set);
        if (ins.select != kNone) {
          out += ' ';
          select(ins.select);
        }
        assignments("on-duplicate", ins.onDuplicate);
        out += ')';
        return;
      }
      case StatementKind::Update: {
        const UpdateStatement& u = s_.update;
        out += u.ignore ? "(update ignore" : "(update";
        tables("tables", u.tables);
        assignments("set", u.set);
        if (u.where != kNone) {
          out += " (where ";
          expr(u.where);
          out += ')';
        }
        orderItems("order-by", u.orderBy);
        limit(u.limit);
        out += ')';
        return;
      }
      case StatementKind::Delete: {
        const DeleteStatement& d = s_.del;
        out += d.multiTable ? "(delete-multi" : "(delete";
        if (d.ignore) {
          out += " ignore";
        }
        tables("targets", d.targets);
        tables("tables", d.tables);
        if (d.where != kNone) {
          out += " (where ";
          expr(d.where);
          out += ')';
        }
        orderItems("order-by", d.orderBy);
        limit(d.limit);
        out += ')';
        return;
      }
      case StatementKind::Use:
        out += "(use ";
        name(s_.useDatabase);
        offsets(s_.useDatabase.span);
        out += ')';
        return;
      case StatementKind::Kill:
        out += s_.kill.query ? "(kill query " : "(kill ";
        expr(s_.kill.target);
        out += ')';
        return;
      case StatementKind::Set:
        out += "(set";
        for (const SetItem& item : s_.set.items) {
          out += ' ';
          setItem(item);
        }
        if (!s_.set.forStatement.empty()) {
          out += " (for";
          offsets(s_.set.forStatement);
          out += ')';
        }
        out += ')';
        return;
      case StatementKind::Prepare:
      case StatementKind::Execute:
      case StatementKind::Deallocate: {
        const PreparedStatementCommand& p = s_.prepared;
        out += '(';
        out += toString(s_.kind);
        out += ' ';
        name(p.name);
        if (p.text != kNone) {
          out += " (from ";
          expr(p.text);
          out += ')';
        }
        if (!p.fromVariable.empty()) {
          out += " (from @";
          name(p.fromVariable);
          out += ')';
        }
        if (!p.usingVariables.empty()) {
          out += " (using";
          for (const Name& v : p.usingVariables) {
            out += " @";
            name(v);
          }
          out += ')';
        }
        out += ')';
        return;
      }
      case StatementKind::Show:
        if (s_.show.kind != ShowStatement::Kind::Other) {
          const ShowStatement& sh = s_.show;
          static const char* kShow[] = {"(show-databases", "(show-tables", "(show-columns",
                                        "(show-index", "(show-create-table", "(show-processlist",
                                        "(show-table-status", "(show-warnings", "(show-status"};
          out += kShow[static_cast<int>(sh.kind)];
          if (sh.full) {
            out += " full";
          }
          if (sh.global) {
            out += " global";
          }
          if (sh.table != kNone) {
            out += ' ';
            table(sh.table);
          }
          if (!sh.database.empty()) {
            out += " (from ";
            name(sh.database);
            offsets(sh.database.span);
            out += ')';
          }
          if (sh.like != kNone) {
            out += " (like ";
            expr(sh.like);
            out += ')';
          }
          if (!sh.filterSpan.empty()) {
            out += " (filter";
            offsets(sh.filterSpan);
            out += ')';
          }
          out += ')';
          return;
        }
        [[fallthrough]];
      default:
        out += '(';
        out += toString(s_.kind);
        if (s_.kind == StatementKind::Explain && s_.show.table != kNone) {
          out += ' ';
          table(s_.show.table);
        }
        if (s_.ddlKind != DdlKind::None) {
          static const char* kDdl[] = {
              "none",          "create-table", "alter-table", "drop-table",      "truncate-table",
              "rename-table",  "create-index", "drop-index",  "create-database", "alter-database",
              "drop-database", "create-view",  "alter-view",  "drop-view",       "tablespace",
              "stored-program"};
          out += ' ';
          out += kDdl[static_cast<int>(s_.ddlKind)];
          ddl();
        }
        if (s_.tclKind != TclKind::None) {
          static const char* kTcl[] = {"none",
                                       "begin",
                                       "commit",
                                       "rollback",
                                       "rollback-to-savepoint",
                                       "savepoint",
                                       "release-savepoint",
                                       "set-transaction",
                                       "xa",
                                       "lock-tables",
                                       "unlock-tables"};
          out += ' ';
          out += kTcl[static_cast<int>(s_.tclKind)];
          transactionOptions();
        }
        out += ')';
        return;
    }
  }

 private:
  const Statement& s_;
  bool withOffsets_;
};

}  // namespace

std::string describe(const Statement& statement, bool withOffsets) {
  Printer p(statement, withOffsets);
  p.statement();
  return std::move(p.out);
}

std::string describeExpr(const Statement& statement, ExprId id, bool withOffsets) {
  Printer p(statement, withOffsets);
  p.expr(id);
  return std::move(p.out);
}

}  // namespace shardproxy::parser::ast
