// The merge of a multi-unit SELECT's results: a tree of streaming primitives chosen from the
// merger's specification (merger/merge_spec.h). Planning is separate from running: a
// PlannedMerge is const and describes itself; open() creates one run's state over the units'
// streams.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/memory_budget.h"
#include "common/status.h"
#include "merger/aggregate.h"
#include "merger/compare.h"
#include "merger/expression.h"
#include "merger/merge_spec.h"
#include "merger/row_stream.h"

namespace shardproxy::merger {

struct MergeLimits {
  // Rows a memory merge (GROUP BY merged in memory, DISTINCT, COUNT(DISTINCT)) may hold before
  // the statement fails with a clear error instead of growing without bound.
  size_t maxMemoryRows = 1'000'000;
  // The statement's memory, which the merge's buffers are charged to (with the rows the units
  // read ahead); null: the merge has its own, of at most maxMemoryBytes (0: unlimited).
  MemoryTracker* memory = nullptr;
  uint64_t maxMemoryBytes = 0;
  // The session's group_concat_max_len: where a merged GROUP_CONCAT value is cut.
  uint64_t groupConcatMaxLen = 1024;
};

// The primitives, bottom (the units) first.
enum class MergeStep : uint8_t {
  Concat,         // every row of the first unit, then of the second, ...
  MergeSort,      // units sorted alike, merged by a heap
  Aggregate,      // one group of every row
  StreamGroupBy,  // groups from rows sorted by the group keys
  MemoryGroupBy,  // groups held in memory, then sorted
  Compute,        // columns replaced by expressions over the merged row
  Having,
  Sort,  // every row sorted in memory (ORDER BY over computed columns)
  Distinct,
  Limit,
  Project,  // drops the derived columns
};

// A merge as planned from a spec and the units' columns: which primitives, over which columns,
// compared how. Const once built; any number of runs may open it.
class PlannedMerge {
 public:
  // `columns`: the units' result columns (all units return the same columns, in this order).
  // Errors: ER_NOT_SUPPORTED_YET (1235) "unsupported: ..." for what cannot be merged correctly
  // (e.g. HAVING over groups that span units), never a wrong result; ER_UNKNOWN_ERROR for a
  // column the spec names and the units did not return.
  static Result<PlannedMerge> plan(const MergeSpec& spec, const std::vector<ColumnInfo>& columns);

  const std::vector<MergeStep>& steps() const { return steps_; }
  size_t visibleColumns() const { return visible_; }  // the first ones of `columns`
  // One line, top first: "Limit(offset=2,count=3) <- MergeSort(order=[#1]) <- units", as
  // describeMerge(spec) prints it.
  std::string describe() const;

  // One run: the merged rows (derived columns removed) read from `units`, one stream per route
  // unit, every memory merge of the run within `limits`.
  // `notes` (may be null) counts what the run reports besides rows (GROUP_CONCAT values cut).
  Result<std::unique_ptr<RowStream>> open(std::vector<std::unique_ptr<RowStream>> units,
                                          const MergeLimits& limits,
                                          std::shared_ptr<AggregateNotes> notes = nullptr) const;

 private:
  struct HavingNode {
    size_t column = 0;
    ColumnComparator comparator;
  };

  MergeSpec spec_;
  std::vector<MergeStep> steps_;
  size_t width_ = 0;
  size_t visible_ = 0;
  RowComparator groupKeys_;
  RowComparator orderKeys_;
  RowComparator distinctKeys_;
  AggregateSpec aggregates_;
  std::vector<HavingNode> having_;  // one per spec_.having node (unused for And, Or, Not)
  std::shared_ptr<const ExprEvaluator> expressions_;
  std::vector<std::pair<size_t, uint32_t>> computed_;  // column, expression
};

// What PlannedMerge::describe() prints for `spec`, known from the spec alone (the plan's shape
// does not depend on the columns' types): for golden cases and PREVIEW, before any unit has
// answered. A spec the merger refuses gives "unsupported: ...".
std::string describeMerge(const MergeSpec& spec);

// A planned merge opened once.
struct MergePlan {
  std::unique_ptr<RowStream> rows;  // the merged rows, derived columns removed
  size_t visibleColumns = 0;        // the first visibleColumns of `columns` are the client's
  // Filled as the rows are read: the warnings the merged result has (cut GROUP_CONCAT values).
  std::shared_ptr<AggregateNotes> notes;
};

// PlannedMerge::plan, then open: for a caller that runs a statement once.
Result<MergePlan> buildMergePlan(const MergeSpec& merge, const std::vector<ColumnInfo>& columns,
                                 std::vector<std::unique_ptr<RowStream>> units,
                                 const MergeLimits& limits);

}  // namespace shardproxy::merger
