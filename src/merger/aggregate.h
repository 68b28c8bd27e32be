// Combining the partial rows of one group, as the units computed them, into the group's row:
// COUNT adds counts, SUM adds sums exactly, AVG divides the summed derived SUM by the summed
// derived COUNT, COUNT/SUM/AVG(DISTINCT) aggregate the distinct values the units returned.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <vector>

#include "common/memory_budget.h"
#include "common/status.h"
#include "merger/compare.h"
#include "merger/row_stream.h"

namespace shardproxy::merger {

// What the memory merges of one execution hold, shared by its primitives: rows, within
// proxy-merge-max-memory-rows, and their bytes, charged to the statement's MemoryTracker (its
// limit is proxy-merge-max-memory-bytes, and the process's proxy-memory-limit). A charge counts
// even when it fails: the caller releases what it charged, failed or not.
class MemoryBudget {
 public:
  // `memory`: the statement's tracker (rows read ahead are charged there too); null: the
  // budget has its own, limited to `maxBytes` (0: unlimited).
  explicit MemoryBudget(size_t maxRows, MemoryTracker* memory = nullptr, uint64_t maxBytes = 0);
  Status charge(size_t rows, size_t bytes = 0);
  void release(size_t rows, size_t bytes = 0);
  uint64_t bytes() const { return memory_->used(); }

 private:
  size_t limit_;
  size_t used_ = 0;
  std::unique_ptr<MemoryTracker> own_;
  MemoryTracker* memory_;
};

// What holding a row costs, near enough for a budget: its cells, and each text that does not fit
// in the string's inline buffer.
size_t rowBytes(const Row& row);
// What a node of a std::map / std::set costs besides its value (links, colour, allocator slack).
inline constexpr size_t kNodeBytes = 48;

// What a run's aggregates report besides their rows: the GROUP_CONCAT values cut at
// group_concat_max_len (each a warning 1260 for the client).
struct AggregateNotes {
  uint64_t cutValues = 0;
};

// What happens to each column of a group's rows.
struct ColumnMerge {
  enum class Op : uint8_t {
    First,  // group keys and plain columns: the group's first row's value
    Count,
    Sum,
    Min,
    Max,
    Avg,  // from the Count column `countColumn` and the Sum column `sumColumn`
    BitAnd,
    BitOr,
    BitXor,
    GroupConcat,
    CountDistinct,  // over the distinct tuples of the `args` columns
    SumDistinct,    // over the distinct values of the one `args` column
    AvgDistinct,
  };
  Op op = Op::First;
  bool inDouble = false;  // SUM / AVG of FLOAT, DOUBLE: computed in double, not exactly
  unsigned scale = 0;     // AVG: fraction digits of the result
  size_t countColumn = 0;
  size_t sumColumn = 0;
  ColumnComparator comparator;  // MIN / MAX
  // DISTINCT: the argument columns, and how their tuples (cells in `args` order) compare.
  std::vector<size_t> args;
  RowComparator argKey;
  // GROUP_CONCAT: separator; with `pieces`, each row's value is a piece placed by the `order`
  // columns (compared as `orderKey` says, on cells in `order` order), de-duplicated by `args`
  // when `args` is not empty; without, the values are joined as they come. `binary`: the
  // result is cut at any byte, not only between UTF-8 characters.
  std::string separator = ",";
  bool pieces = false;
  // The column of each row's value's full length (a unit cut a longer one); npos: none.
  size_t lengthColumn = static_cast<size_t>(-1);
  std::vector<size_t> order;
  RowComparator orderKey;
  bool binary = false;
};

struct AggregateSpec {
  std::vector<ColumnMerge> columns;       // one per result column
  uint64_t groupConcatMaxLen = 1024;      // the session's group_concat_max_len
  std::shared_ptr<AggregateNotes> notes;  // may be null
  bool hasDistinct() const;
};

// The running aggregate of one group. Not copyable: it may hold sets of distinct values.
class GroupAccumulator {
 public:
  // `budget` is charged for the distinct values held; may be null (no limit).
  GroupAccumulator(const AggregateSpec& spec, MemoryBudget* budget);
  ~GroupAccumulator();
  GroupAccumulator(const GroupAccumulator&) = delete;
  GroupAccumulator& operator=(const GroupAccumulator&) = delete;

  Status add(const Row& row);
  // What an accumulator of `spec` holds before any value: its per-column state.
  static size_t fixedBytes(const AggregateSpec& spec);
  // The group's row; with no row added, the row of an aggregate over no rows (COUNT 0, the
  // BIT_* identities, NULL elsewhere).
  Result<Row> finish() const;

 private:
  struct Piece {
    Row key;  // the order cells
    std::string text;
    bool cut = false;  // the unit cut it at group_concat_max_len
  };
  struct State {
    bool has = false;  // a non-NULL value was seen (First: any row was seen)
    Cell value;        // First / MIN / MAX / GROUP_CONCAT text, exact SUM / COUNT text
    double number = 0;
    uint64_t bits = 0;
    bool cut = false;  // GROUP_CONCAT: reached group_concat_max_len
    std::unique_ptr<std::set<Row, RowLess>> distinct;
    std::vector<Piece> pieces;
  };
  Status addCell(size_t column, const Cell& cell, const Row& row);
  void appendConcat(State& st, const ColumnMerge& m, const std::string& text, bool cut) const;
  static bool cutByUnit(const ColumnMerge& m, const Cell& cell, const Row& row);
  Status addCell(size_t column, const Cell& cell);
  Result<Cell> finishColumn(size_t column) const;
  static Row project(const Row& row, const std::vector<size_t>& columns);

  const AggregateSpec& spec_;
  MemoryBudget* budget_;
  std::vector<State> states_;
  size_t held_ = 0;       // rows charged to budget_: distinct values, GROUP_CONCAT pieces
  size_t heldBytes_ = 0;  // and their bytes
};

}  // namespace shardproxy::merger
