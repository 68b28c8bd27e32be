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
  struct Aggregate {
    AggregateKind kind = AggregateKind::Count;
    // COUNT / SUM / AVG (DISTINCT x): the column `label` holds the distinct values of x each
    // unit found (AGGREGATION_DISTINCT_DERIVED_n unless aliased), to aggregate after merging.
    bool distinct = false;
    std::string label;
    // The column's name for the client when the units' column is named otherwise (the
    // expression as written for an unaliased COUNT(DISTINCT x)); empty when it is `label`.
    std::string clientName;
    // AVG: the derived COUNT and SUM columns it is computed from.
    std::string countLabel;
    std::string sumLabel;
  };
  struct SortItem {
    std::string label;      // empty when `position` is set
    uint32_t position = 0;  // ORDER BY 2: 1-based select-list position
    bool desc = false;
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
    enum class Kind : uint8_t { And, Or, Not, Compare, Between, In, IsNull };
    Kind kind = Kind::Compare;
    CompareOp op = CompareOp::Eq;  // Compare
    bool negated = false;          // NOT BETWEEN, NOT IN, IS NOT NULL
    SortItem column;               // Compare, Between, In, IsNull: the operand's column
    std::vector<std::optional<std::string>> constants;  // a NULL literal is nullopt
    std::vector<uint32_t> children;                     // And, Or, Not
  };
  std::vector<HavingNode> having;
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

}  // namespace shardproxy::merger
