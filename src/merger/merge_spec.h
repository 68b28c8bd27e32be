// What merging the results of a SELECT that ran on several route units needs to know: the
// merger's own contract, in the merger's own terms (no AST). The rewriter fills it when it adds
// derived columns and widens the LIMIT. Columns are named by label: the alias, the column name
// of a plain column reference, or the expression as written, which is how the backends name
// them in their results.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shardproxy::merger {

// The aggregates the merger combines across units; any other cannot be merged, and a spec
// cannot name it.
enum class AggregateKind : uint8_t {
  Count,
  Sum,
  Avg,
  Min,
  Max,
  BitAnd,
  BitOr,
  BitXor,
  GroupConcat,
};

// The comparisons HAVING may make of a merged value with a constant.
enum class CompareOp : uint8_t { Eq, NullSafeEq, Ne, Lt, Le, Gt, Ge };

struct MergeSpec {
  struct SortItem {
    std::string label;      // empty when `position` is set
    uint32_t position = 0;  // ORDER BY 2: 1-based select-list position
    bool desc = false;
  };
  struct Aggregate {
    AggregateKind kind = AggregateKind::Count;
    // The column holding the aggregate as each unit computed it over its rows (its definition
    // is the one the client gets).
    std::string label;
    // COUNT / SUM / AVG / GROUP_CONCAT (DISTINCT x, ...): the derived columns holding the
    // arguments' values. The units group their rows finer (by these arguments too), so a
    // group's distinct values arrive in several rows, possibly from several units; the merger
    // de-duplicates them and aggregates after merging (ShardingSphere's approach). COUNT
    // ignores a tuple with a NULL, as MySQL does.
    bool distinct = false;
    std::vector<std::string> argLabels;
    // AVG: the derived COUNT and SUM columns it is computed from.
    std::string countLabel;
    std::string sumLabel;
    // GROUP_CONCAT: the separator, and the derived columns of its own ORDER BY. With an ORDER
    // BY or DISTINCT, the units also group by these keys, so each unit row's value holds
    // values that tie on them; the merger sorts those pieces and joins them.
    std::string separator = ",";
    std::vector<SortItem> orderBy;
    // GROUP_CONCAT: the derived column of each unit row's value's full length in bytes (more
    // than the value's own when the unit cut it at group_concat_max_len); empty when unknown.
    std::string lengthLabel;
  };

  bool distinct = false;  // SELECT DISTINCT
  std::vector<Aggregate> aggregates;
  std::vector<SortItem> groupBy;
  std::vector<SortItem> orderBy;  // includes the ORDER BY that a GROUP BY implies
  bool groupByEqualsOrderBy = true;
  // Columns the rewriter added; the merger drops them before the client sees the rows.
  std::vector<std::string> derivedLabels;
  // The statement's own LIMIT (the units run with LIMIT 0, offset + count).
  std::optional<uint64_t> offset;
  std::optional<uint64_t> count;
  bool hasHaving =
      false;  // HAVING ran on each unit's groups: right only if groups do not span units
  // HAVING over groups that may span units: the units run without it and the merger keeps the
  // merged groups this predicate holds for. Nodes of a small tree, having[0] the root; empty
  // when there is none.
  struct HavingNode {
    enum class Kind : uint8_t { And, Or, Not, Compare, Between, In, IsNull, Expr };
    Kind kind = Kind::Compare;
    CompareOp op = CompareOp::Eq;  // Compare
    bool negated = false;          // NOT BETWEEN, NOT IN, IS NOT NULL
    SortItem column;               // Compare, Between, In, IsNull: the operand's column
    std::vector<std::optional<std::string>> constants;  // a NULL literal is nullopt
    std::vector<uint32_t> children;                     // And, Or, Not
    uint32_t expr = 0;                                  // Expr: the condition in `exprs`
  };
  std::vector<HavingNode> having;
  // Expressions the merger evaluates on merged rows, MySQL's way (types, NULLs): HAVING
  // conditions beyond comparisons of a column with constants (a HavingNode of kind Expr), and
  // ORDER BY items over aggregates. Nodes of a pool; children by index.
  struct ExprNode {
    enum class Kind : uint8_t {
      Column,    // `column`'s merged value
      Literal,   // `text` as written (a number) or the string's value (`string`); `null`
      Negate,    // -args[0]
      Binary,    // `op`: + - * / DIV % = <=> <> < <= > >= AND OR XOR
      Not,       // NOT args[0]
      IsNull,    // args[0] IS [NOT] NULL (`negated`)
      Function,  // `op`: ABS ROUND FLOOR CEILING SIGN IFNULL COALESCE IF
    };
    Kind kind = Kind::Literal;
    std::string op;
    SortItem column;
    std::string text;
    bool string = false;
    bool null = false;
    bool negated = false;
    std::vector<uint32_t> args;
  };
  std::vector<ExprNode> exprs;
  // Columns whose merged value is replaced by an expression's (the units computed it over their
  // partial rows): an ORDER BY item over aggregates, sorted after merging.
  struct Computed {
    SortItem column;
    uint32_t expr = 0;
  };
  std::vector<Computed> computed;
  // Set when the units' results cannot be merged into the right answer (what, for the client's
  // ER_NOT_SUPPORTED_YET); the statement must not run.
  std::string unsupported;
};

// The SQL names: "COUNT", "BIT_AND", ...; "=", "<=>", "<>", ...
const char* toString(AggregateKind kind);
const char* toString(CompareOp op);

// The parts of a spec as describe() and the golden cases write them: "amount DESC", "#2";
// "COUNT c", "SUM DISTINCT x", "AVG a (AVG_DERIVED_COUNT_0, AVG_DERIVED_SUM_0)"; the HAVING
// predicate from node `node` down, "(c > 1 AND s IS NOT NULL)".
std::string describe(const MergeSpec::SortItem& item);
std::string describe(const MergeSpec::Aggregate& aggregate);
std::string describeHaving(const MergeSpec& spec, uint32_t node = 0);
// An expression as the golden cases write it: "((#2 * 2) > 4)", "ROUND(AVG_DERIVED_0, 1)".
std::string describeExpr(const MergeSpec& spec, uint32_t node);

}  // namespace shardproxy::merger
