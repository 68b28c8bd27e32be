// The merge of a multi-unit SELECT's results: a tree of streaming primitives chosen from what
// the rewriter recorded (rewriter/merge_context.h), over one RowStream per route unit.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "common/status.h"
#include "merger/row_stream.h"
#include "rewriter/merge_context.h"

namespace shardproxy::merger {

struct MergeLimits {
  // Rows a memory merge (GROUP BY merged in memory, DISTINCT, COUNT(DISTINCT)) may hold before
  // the statement fails with a clear error instead of growing without bound.
  size_t maxMemoryRows = 1'000'000;
};

struct MergePlan {
  std::unique_ptr<RowStream> rows;  // the merged rows, derived columns removed
  size_t visibleColumns = 0;        // the first visibleColumns of `columns` are the client's
};

// `columns`: the units' result columns (all units return the same columns, in this order).
// Errors: ER_NOT_SUPPORTED_YET (1235) "unsupported: ..." for what cannot be merged correctly
// (e.g. HAVING over groups that span units), never a wrong result.
Result<MergePlan> buildMergePlan(const rewriter::MergeContext& merge,
                                 const std::vector<ColumnInfo>& columns,
                                 std::vector<std::unique_ptr<RowStream>> units,
                                 const MergeLimits& limits);

}  // namespace shardproxy::merger
