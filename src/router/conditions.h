// Sharding conditions: what a WHERE clause says about sharding columns, as alternatives (the
// condition in disjunctive normal form), each giving per column a set of values or a range.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metadata/table_schema.h"
#include "parser/ast.h"
#include "router/algorithm.h"
#include "router/value.h"

namespace shardproxy::router {

struct ColumnKey {
  std::string table;   // logic table, lower case
  std::string column;  // lower case
  bool operator<(const ColumnKey& o) const {
    return table != o.table ? table < o.table : column < o.column;
  }
};

// What one alternative says of one column: the values it may take (`=`, IN), a range, or both
// (then the values within the range); `alwaysFalse` when nothing can match.
struct ColumnCondition {
  bool alwaysFalse = false;
  bool hasValues = false;
  std::vector<Value> values;
  std::optional<Range> range;
};

// One alternative: the AND of its column conditions. A column not present is unconstrained.
using Clause = std::map<ColumnKey, ColumnCondition>;

// The WHERE as alternatives: rows match if they match any clause. One empty clause: no
// constraint at all. No clause: nothing matches (e.g. `WHERE id = 1 AND id = 2`).
struct Conditions {
  std::vector<Clause> clauses;
  static Conditions unconstrained() { return Conditions{{Clause{}}}; }
};

// Cap on alternatives: beyond it a sub-condition counts as unconstrained, which routes more
// widely but never wrongly.
inline constexpr size_t kMaxClauses = 256;

class ConditionExtractor {
 public:
  // The logic tables (lower case) whose sharding column a column reference is; empty when it is
  // no sharding column of the statement's sharded tables.
  using ColumnResolver = std::function<std::vector<std::string>(const parser::ast::Expr& column)>;

  // The type of a sharding column (logic table and column, lower case), when the metadata
  // knows it: values compared with it are converted as MySQL converts them
  // (router/value_conversion.h). Null: values are taken as written.
  using ColumnTyper =
      std::function<const metadata::ColumnSchema*(const std::string& table, const std::string& column)>;

  ConditionExtractor(const parser::ast::Statement& s, ColumnResolver resolver,
                     const std::vector<Value>& parameters, ColumnTyper typer = nullptr,
                     bool normalizeStrings = false)
      : s_(s),
        resolver_(std::move(resolver)),
        parameters_(parameters),
        typer_(std::move(typer)),
        normalizeStrings_(normalizeStrings) {}

  Conditions extract(parser::ast::ExprId where) const;

  // The value of a constant expression: literals, bound parameters, unary minus, and integer
  // + - * of constants. nullopt when the expression is not such a constant.
  std::optional<Value> constant(parser::ast::ExprId e) const;

 private:
  std::optional<std::vector<Clause>> dnf(parser::ast::ExprId e, int depth) const;
  std::optional<std::vector<Clause>> leaf(const parser::ast::Expr& e) const;

  // `c` in the terms of column `column`'s type; false when it no longer pins any value.
  bool typed(ColumnCondition& c, const metadata::ColumnSchema& column) const;

  const parser::ast::Statement& s_;
  ColumnResolver resolver_;
  const std::vector<Value>& parameters_;
  ColumnTyper typer_;
  bool normalizeStrings_ = false;
};

// Narrows `into` by `other` (both about the same column): AND.
void intersect(ColumnCondition& into, const ColumnCondition& other);

// a AND b. Past kMaxClauses alternatives `b` is left out, which only routes wider.
Conditions conjoin(const Conditions& a, const Conditions& b);

}  // namespace shardproxy::router
