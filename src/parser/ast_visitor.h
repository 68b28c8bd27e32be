// The one list of the fields of every AST node, in a fixed order, for the code that must treat
// them all alike: toJson() writes them, forEachSpan() (the statement cache) moves them. A field
// added to ast.h is added to its visitFields() here; ast_visitor_test fails until it is.
//
// visitFields(node, v) calls, for each field of `node`,
//
//   v(const char* key, field, bool present)
//
// - key: the field's name in toJson() (the ast.h member name, except where ast_json.cc says).
// - field: a reference to the member (const when the node is), or, for a member that refers to
//   other nodes, a Ref (ExprId, SelectId and TableRefId are all uint32_t, so the type alone does
//   not say which arena an id indexes), or a Part (members of Statement written as one object).
// - present: the field says something in this node: it differs from its default (kNone, empty,
//   false, None), or the node's kind gives it a meaning even at its default value (a Literal's
//   type, the charset of SET NAMES, which empty means DEFAULT). toJson() writes exactly these.
//
// References are not followed: a visitor that walks the tree looks the ids up itself; one that
// wants every node once uses visitNodes(), which walks the arenas. Nested values (a Name, a
// Limit, the items of a SELECT ...) are passed whole; a visitor descends into them by calling
// visitFields() on them (they satisfy Composite).
#pragma once

#include <concepts>
#include <string>
#include <type_traits>
#include <vector>

#include "parser/ast.h"

namespace shardproxy::parser::ast {

// `T`, const when `Base` is: one visitFields() serves const and mutable statements.
template <class Base, class T>
using ConstLike = std::conditional_t<std::is_const_v<Base>, const T, T>;

template <class N, class T>
concept NodeOf = std::same_as<std::remove_const_t<N>, T>;

// An ExprId, SelectId or TableRefId (or a vector of them) and the arena it indexes (`Node`:
// Expr, Select or TableRef).
template <class Node, class Id>
struct Ref {
  Id& value;
};

template <class Node, class Id>
Ref<Node, Id> ref(Id& id) {
  return {id};
}

// Statement members that are one object in toJson(): the hint and its span; the TCL kind and the
// transaction options (whether a scope means something depends on the kind); the DDL kind and
// the DDL parts. `S` is Statement or const Statement.
template <class S>
struct HintPart {
  ConstLike<S, std::string>& value;
  ConstLike<S, Span>& span;
};

template <class S>
struct TransactionPart {
  ConstLike<S, TclKind>& tclKind;
  ConstLike<S, TransactionStatement>& options;
};

template <class S>
struct DdlPart {
  ConstLike<S, DdlKind>& ddlKind;
  ConstLike<S, DdlStatement>& ddl;
};

template <class N, class V>
requires NodeOf<N, Name>
void visitFields(N& n, V& v) {
  v("value", n.value, true);
  v("span", n.span, true);
}

template <class N, class V>
requires NodeOf<N, Expr>
void visitFields(N& e, V& v) {
  v("expr", e.kind, true);
  v("span", e.span, true);
  v("depth", e.depth, e.depth != 1);
  v("schema", e.schema, !e.schema.empty());
  v("table", e.table, !e.table.empty());
  v("column", e.column, !e.column.empty());
  v("type", e.literalType, e.kind == ExprKind::Literal);
  v("value", e.value, e.kind == ExprKind::Literal || !e.value.empty());
  v("charset", e.charset, !e.charset.empty());
  v("literalIndex", e.literalIndex, e.literalIndex != kNone);
  v("paramIndex", e.paramIndex, e.paramIndex != kNone);
  v("op", e.unaryOp, e.kind == ExprKind::UnaryOp);
  v("op", e.binaryOp, e.kind == ExprKind::BinaryOp);
  v("quantifier", e.quantifier, e.quantifier != Quantifier::None);
  v("test", e.isTest, e.kind == ExprKind::Is);
  v("negated", e.negated, e.negated);
  v("name", e.name, !e.name.empty());
  v("aggregate", e.aggregate, e.aggregate != AggregateKind::None);
  v("distinct", e.distinct, e.distinct);
  v("star", e.star, e.star);
  v("over", e.over, e.over);
  v("orderBy", e.orderBy, !e.orderBy.empty());
  v("separator", ref<Expr>(e.separator), e.separator != kNone);
  v("hasOperand", e.hasOperand, e.hasOperand);
  v("hasElse", e.hasElse, e.hasElse);
  v("systemVariable", e.systemVariable, e.systemVariable);
  v("args", ref<Expr>(e.args), !e.args.empty());
  v("escape", ref<Expr>(e.escape), e.escape != kNone);
  v("subquery", ref<Select>(e.subquery), e.subquery != kNone);
}

template <class N, class V>
requires NodeOf<N, TableRef>
void visitFields(N& t, V& v) {
  v("kind", t.kind, true);
  v("span", t.span, true);
  v("schema", t.schema, !t.schema.empty());
  v("name", t.name, !t.name.empty());
  v("alias", t.alias, !t.alias.empty());
  v("lateral", t.lateral, t.lateral);
  v("joinType", t.joinType, t.kind == TableRef::Kind::Join || t.joinType != JoinType::Inner);
  v("subquery", ref<Select>(t.subquery), t.subquery != kNone);
  v("left", ref<TableRef>(t.left), t.left != kNone);
  v("right", ref<TableRef>(t.right), t.right != kNone);
  v("on", ref<Expr>(t.on), t.on != kNone);
  v("usingColumns", t.usingColumns, !t.usingColumns.empty());
  v("members", ref<TableRef>(t.members), !t.members.empty());
}

template <class N, class V>
requires NodeOf<N, SelectItem>
void visitFields(N& item, V& v) {
  v("kind", item.kind, true);
  v("span", item.span, true);
  v("expr", ref<Expr>(item.expr), item.expr != kNone);
  v("alias", item.alias, !item.alias.empty());
  v("schema", item.schema, !item.schema.empty());
  v("table", item.table, !item.table.empty());
}

template <class N, class V>
requires NodeOf<N, OrderItem>
void visitFields(N& o, V& v) {
  v("span", o.span, true);
  v("expr", ref<Expr>(o.expr), o.expr != kNone);
  v("position", o.position, o.position != 0);
  v("desc", o.desc, o.desc);
  v("explicitDirection", o.explicitDirection, o.explicitDirection);
}

// Present (see Select, UpdateStatement, DeleteStatement) when any part is set.
template <class N>
requires NodeOf<N, Limit>
bool limitPresent(N& l) { return l.present() || !l.span.empty() || l.offset != kNone; }

template <class N, class V>
requires NodeOf<N, Limit>
void visitFields(N& l, V& v) {
  v("span", l.span, true);
  v("offset", ref<Expr>(l.offset), l.offset != kNone);
  v("count", ref<Expr>(l.count), l.count != kNone);
}

template <class N, class V>
requires NodeOf<N, Cte>
void visitFields(N& c, V& v) {
  v("span", c.span, true);
  v("name", c.name, true);
  v("columns", c.columns, !c.columns.empty());
  v("query", ref<Select>(c.query), c.query != kNone);
}

template <class N, class V>
requires NodeOf<N, Select>
void visitFields(N& q, V& v) {
  v("kind", q.kind, true);
  v("span", q.span, true);
  v("recursive", q.recursive, q.recursive);
  v("with", q.with, !q.with.empty());
  v("distinct", q.distinct, q.distinct);
  v("items", q.items, !q.items.empty());
  v("from", ref<TableRef>(q.from), !q.from.empty());
  v("where", ref<Expr>(q.where), q.where != kNone);
  v("groupBy", q.groupBy, !q.groupBy.empty());
  v("withRollup", q.withRollup, q.withRollup);
  v("having", ref<Expr>(q.having), q.having != kNone);
  v("orderBy", q.orderBy, !q.orderBy.empty());
  v("limit", q.limit, limitPresent(q.limit));
  v("lock", q.lock, q.lock != LockKind::None);
  v("operands", ref<Select>(q.operands), !q.operands.empty());
  v("setOps", q.setOps, !q.setOps.empty());
  v("rows", ref<Expr>(q.rows), !q.rows.empty());
  v("table", ref<TableRef>(q.table), q.table != kNone);
}

template <class N, class V>
requires NodeOf<N, Assignment>
void visitFields(N& a, V& v) {
  v("span", a.span, true);
  v("column", ref<Expr>(a.column), a.column != kNone);
  v("value", ref<Expr>(a.value), a.value != kNone);
}

template <class N, class V>
requires NodeOf<N, ValueRow>
void visitFields(N& row, V& v) {
  v("span", row.span, true);
  v("values", ref<Expr>(row.values), true);
}

template <class N, class V>
requires NodeOf<N, InsertStatement>
void visitFields(N& ins, V& v) {
  v("ignore", ins.ignore, ins.ignore);
  v("table", ref<TableRef>(ins.table), ins.table != kNone);
  v("columns", ref<Expr>(ins.columns), !ins.columns.empty());
  v("columnsSpan", ins.columnsSpan, !ins.columnsSpan.empty());
  v("source", ins.source, true);
  v("valuesSpan", ins.valuesSpan, !ins.valuesSpan.empty());
  v("rows", ins.rows, !ins.rows.empty());
  v("set", ins.set, !ins.set.empty());
  v("select", ref<Select>(ins.select), ins.select != kNone);
  v("onDuplicate", ins.onDuplicate, !ins.onDuplicate.empty());
  v("onDuplicateSpan", ins.onDuplicateSpan, !ins.onDuplicateSpan.empty());
}

template <class N, class V>
requires NodeOf<N, UpdateStatement>
void visitFields(N& u, V& v) {
  v("ignore", u.ignore, u.ignore);
  v("tables", ref<TableRef>(u.tables), !u.tables.empty());
  v("set", u.set, !u.set.empty());
  v("where", ref<Expr>(u.where), u.where != kNone);
  v("orderBy", u.orderBy, !u.orderBy.empty());
  v("limit", u.limit, limitPresent(u.limit));
}

template <class N, class V>
requires NodeOf<N, DeleteStatement>
void visitFields(N& d, V& v) {
  v("ignore", d.ignore, d.ignore);
  v("multiTable", d.multiTable, d.multiTable);
  v("targets", ref<TableRef>(d.targets), !d.targets.empty());
  v("tables", ref<TableRef>(d.tables), !d.tables.empty());
  v("where", ref<Expr>(d.where), d.where != kNone);
  v("orderBy", d.orderBy, !d.orderBy.empty());
  v("limit", d.limit, limitPresent(d.limit));
}

template <class N, class V>
requires NodeOf<N, ShowStatement>
void visitFields(N& sh, V& v) {
  v("kind", sh.kind, true);
  v("full", sh.full, sh.full);
  v("global", sh.global, sh.global);
  v("database", sh.database, !sh.database.empty());
  v("table", ref<TableRef>(sh.table), sh.table != kNone);
  v("like", ref<Expr>(sh.like), sh.like != kNone);
  v("filterSpan", sh.filterSpan, !sh.filterSpan.empty());
}

template <class N, class V>
requires NodeOf<N, KillStatement>
void visitFields(N& k, V& v) {
  v("query", k.query, k.query);
  v("target", ref<Expr>(k.target), k.target != kNone);
}

template <class N, class V>
requires NodeOf<N, SetItem>
void visitFields(N& item, V& v) {
  using Kind = SetItem::Kind;
  v("kind", item.kind, true);
  v("span", item.span, true);
  v("scope", item.scope, item.kind == Kind::Variable || item.scope != VariableScope::Session);
  v("name", item.name, !item.name.empty());
  v("value", ref<Expr>(item.value), item.value != kNone);
  v("valueKeyword", item.valueKeyword, !item.valueKeyword.empty());
  v("valueSpan", item.valueSpan, !item.valueSpan.empty());
  // An empty charset means DEFAULT.
  v("charset", item.charset,
    item.kind == Kind::Names || item.kind == Kind::CharacterSet || !item.charset.empty());
  v("collation", item.collation, !item.collation.empty());
}

template <class N, class V>
requires NodeOf<N, SetStatement>
void visitFields(N& set, V& v) {
  v("items", set.items, true);
  v("forStatement", set.forStatement, !set.forStatement.empty());
}

template <class S, class V>
void visitFields(const HintPart<S>& h, V& v) {
  v("value", h.value, true);
  v("span", h.span, true);
}

template <class S, class V>
void visitFields(const TransactionPart<S>& part, V& v) {
  auto& t = part.options;
  v("tclKind", part.tclKind, true);
  v("access", t.access, t.access != AccessMode::None);
  v("consistentSnapshot", t.consistentSnapshot, t.consistentSnapshot);
  v("scope", t.scope,
    t.scope != TransactionStatement::Scope::Next || part.tclKind == TclKind::SetTransaction);
  v("isolation", t.isolation, t.isolation != IsolationLevel::None);
  v("chain", t.chain, t.chain != Completion::None);
  v("release", t.release, t.release != Completion::None);
  v("savepoint", t.savepoint, !t.savepoint.empty());
}

template <class N, class V>
requires NodeOf<N, PreparedStatementCommand>
void visitFields(N& p, V& v) {
  v("name", p.name, true);
  v("text", ref<Expr>(p.text), p.text != kNone);
  v("fromVariable", p.fromVariable, !p.fromVariable.empty());
  v("usingVariables", p.usingVariables, !p.usingVariables.empty());
}

template <class N, class V>
requires NodeOf<N, DdlTable>
void visitFields(N& t, V& v) {
  v("role", t.role, true);
  v("table", ref<TableRef>(t.table), t.table != kNone);
}

template <class N, class V>
requires NodeOf<N, ObjectName>
void visitFields(N& o, V& v) {
  v("kind", o.kind, true);
  v("span", o.span, true);
  v("schema", o.schema, !o.schema.empty());
  v("name", o.name, !o.name.empty());
}

template <class S, class V>
void visitFields(const DdlPart<S>& part, V& v) {
  auto& d = part.ddl;
  v("ddlKind", part.ddlKind, true);
  v("temporary", d.temporary, d.temporary);
  v("ifExists", d.ifExists, d.ifExists);
  v("ifNotExists", d.ifNotExists, d.ifNotExists);
  v("tables", d.tables, !d.tables.empty());
  v("indexes", d.indexes, !d.indexes.empty());
  v("database", d.database, !d.database.empty());
  v("query", ref<Select>(d.query), d.query != kNone);
}

// The statement's own fields; the arenas (exprs, selects, tableRefs) are reached through
// references or visitNodes(). hasHint is the presence of "hint".
template <class S, class V>
requires NodeOf<S, Statement>
void visitFields(S& s, V& v) {
  using Kind = StatementKind;
  const Kind k = s.kind;
  v("kind", s.kind, true);
  v("sql", s.sql, true);
  v("span", s.span, true);
  v("hint", HintPart<S>{s.hint, s.hintSpan}, s.hasHint || !s.hint.empty());
  v("usesUserVariables", s.usesUserVariables, true);
  v("objects", s.objects, !s.objects.empty());
  v("intoFile", s.intoFile, s.intoFile);
  v("localFile", s.localFile, s.localFile);
  v("reach", s.reach, s.reach != Reach::Database);
  v("dynamicSql", s.dynamicSql, s.dynamicSql);
  v("select", ref<Select>(s.select), s.select != kNone);
  v("insert", s.insert, k == Kind::Insert || k == Kind::Replace || s.insert.table != kNone);
  v("update", s.update, k == Kind::Update || !s.update.tables.empty());
  v("delete", s.del, k == Kind::Delete || !s.del.tables.empty());
  v("set", s.set, k == Kind::Set || !s.set.items.empty());
  v("transaction", TransactionPart<S>{s.tclKind, s.transaction},
    k == Kind::Tcl || s.tclKind != TclKind::None);
  v("ddl", DdlPart<S>{s.ddlKind, s.ddl},
    k == Kind::Ddl || s.ddlKind != DdlKind::None || s.ddl.temporary);
  v("use", s.useDatabase, k == Kind::Use || !s.useDatabase.empty());
  v("show", s.show, k == Kind::Show);
  v("kill", s.kill, k == Kind::Kill || s.kill.target != kNone);
  v("prepared", s.prepared,
    k == Kind::Prepare || k == Kind::Execute || k == Kind::Deallocate || !s.prepared.name.empty());
  v("literalCount", s.literalCount, true);
  v("paramCount", s.paramCount, true);
}

// A value a visitor descends into with visitFields() (a node, a nested value or a Part).
template <class T>
concept Composite = requires(T& node, int& visitor) {
  visitFields(node, visitor);
};

template <class T>
inline constexpr bool kIsVector = false;
template <class T>
inline constexpr bool kIsVector<std::vector<T>> = true;

template <class T>
inline constexpr bool kIsRef = false;
template <class Node, class Id>
inline constexpr bool kIsRef<Ref<Node, Id>> = true;

// Every node of `s` once, references not followed: the statement's own fields, then each
// expression, query block and table reference in arena order (nodes no reference reaches
// included).
template <class S, class V>
requires NodeOf<S, Statement>
void visitNodes(S& s, V& v) {
  visitFields(s, v);
  for (auto& e : s.exprs) visitFields(e, v);
  for (auto& q : s.selects) visitFields(q, v);
  for (auto& t : s.tableRefs) visitFields(t, v);
}

namespace detail {

template <class F>
class SpanVisitor {
 public:
  explicit SpanVisitor(F& f) : f_(f) {}

  template <class T>
  void operator()(const char* key, T&& field, bool /*present*/) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::same_as<U, Span>) {
      f_(field);
    } else if constexpr (kIsVector<U>) {
      for (auto& element : field) (*this)(key, element, true);
    } else if constexpr (kIsRef<U>) {
      // Another node: visitNodes() reaches it in its arena.
    } else if constexpr (Composite<U>) {
      visitFields(field, *this);
    } else {
      static_assert(std::is_scalar_v<U> || std::same_as<U, std::string>,
                    "a field type this visitor does not know: is it missing a visitFields()?");
    }
  }

 private:
  F& f_;
};

}  // namespace detail

// Calls f(span) for every Span of `s` (Name spans included), each once. `S` is Statement (f gets
// Span&) or const Statement (const Span&).
template <class S, class F>
requires NodeOf<S, Statement>
void forEachSpan(S& s, F&& f) {
  detail::SpanVisitor<F> visitor(f);
  visitNodes(s, visitor);
}

}  // namespace shardproxy::parser::ast
