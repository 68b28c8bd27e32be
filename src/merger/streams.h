// The merge primitives: each a RowStream over the units' streams or over another primitive.
// They pull one row at a time from their inputs (a row is read from a unit only when the
// merge needs it), and describe themselves for tests and EXPLAIN.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "merger/aggregate.h"
#include "merger/compare.h"
#include "merger/expression.h"
#include "merger/merge_spec.h"
#include "merger/row_stream.h"

namespace shardproxy::merger {

using Streams = std::vector<std::unique_ptr<RowStream>>;

// Every row of the first unit, then of the second, ... Each row must have `width` cells.
class ConcatStream : public RowStream {
 public:
  ConcatStream(Streams units, size_t width);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  Streams units_;
  size_t width_;
  size_t at_ = 0;
  bool failed_ = false;
};

// Units whose rows each come sorted by `order`, merged into one sorted stream: a heap of one
// row per unit; equal rows come out lower unit first.
class MergeSortStream : public RowStream {
 public:
  MergeSortStream(Streams units, size_t width, RowComparator order);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  struct Head {
    Row row;
    size_t unit = 0;
  };
  awaitable<Status> pull(size_t unit);
  bool after(size_t a, size_t b) const;  // heap order: a comes after b

  Streams units_;
  size_t width_;
  RowComparator order_;
  std::vector<Head> heads_;       // one slot per unit
  std::vector<size_t> heap_;      // units with a buffered row
  std::optional<size_t> refill_;  // the unit whose row went out last: read it before comparing
  bool started_ = false;
  bool failed_ = false;
};

// Groups from a source sorted by the group keys: consecutive rows with equal keys are one
// group. With no keys, the whole input is one group, and an empty input still gives its one
// row (an aggregate without GROUP BY).
class StreamGroupByStream : public RowStream {
 public:
  StreamGroupByStream(std::unique_ptr<RowStream> source, RowComparator groupKeys,
                      AggregateSpec spec, std::shared_ptr<MemoryBudget> budget);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  RowComparator keys_;
  AggregateSpec spec_;
  std::shared_ptr<MemoryBudget> budget_;
  Row pending_;  // the first row of the next group
  bool havePending_ = false;
  bool started_ = false;
  bool done_ = false;
};

// Groups from an unsorted source, held in memory (at most the budget's rows, groups plus the
// distinct values they hold), then returned sorted by `order` (or by the group keys).
class MemoryGroupByStream : public RowStream {
 public:
  MemoryGroupByStream(std::unique_ptr<RowStream> source, RowComparator groupKeys,
                      RowComparator order, AggregateSpec spec,
                      std::shared_ptr<MemoryBudget> budget);
  ~MemoryGroupByStream() override;
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  awaitable<Status> load();

  std::unique_ptr<RowStream> source_;
  RowComparator keys_;
  RowComparator order_;
  AggregateSpec spec_;
  std::shared_ptr<MemoryBudget> budget_;
  std::vector<Row> rows_;
  size_t rowsBytes_ = 0;  // charged for rows_
  size_t at_ = 0;
  bool loaded_ = false;
  bool failed_ = false;
};

// Rows whose `key` columns equal an earlier row's are dropped (SELECT DISTINCT); the rows seen
// are held in memory, within the budget.
class DistinctStream : public RowStream {
 public:
  DistinctStream(std::unique_ptr<RowStream> source, RowComparator key,
                 std::shared_ptr<MemoryBudget> budget);
  ~DistinctStream() override;
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  std::unique_ptr<RowComparator> key_;  // stable address for seen_'s comparator
  std::shared_ptr<MemoryBudget> budget_;
  std::set<Row, RowLess> seen_;
  size_t seenBytes_ = 0;
};

// Keeps the merged groups for which HAVING holds (MySQL's three-valued logic: unknown drops).
// Nodes of kind Expr are evaluated by `expressions`.
class HavingStream : public RowStream {
 public:
  struct Node {
    MergeSpec::HavingNode spec;
    size_t column = 0;
    ColumnComparator comparator;
  };
  HavingStream(std::unique_ptr<RowStream> source, std::vector<Node> nodes,
               std::shared_ptr<const ExprEvaluator> expressions = nullptr);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  enum class Truth : uint8_t { False, True, Unknown };
  Truth eval(const Row& row, uint32_t node);

  std::unique_ptr<RowStream> source_;
  std::vector<Node> nodes_;
  std::shared_ptr<const ExprEvaluator> expressions_;
  Status error_;  // an expression that failed (its row's evaluation stops there)
};

// Replaces columns of each merged row by expressions over the row (ORDER BY items over
// aggregates, which the units computed over their partial rows).
class ComputeStream : public RowStream {
 public:
  struct Target {
    size_t column = 0;
    uint32_t expr = 0;
  };
  ComputeStream(std::unique_ptr<RowStream> source, std::shared_ptr<const ExprEvaluator> expressions,
                std::vector<Target> targets);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  std::shared_ptr<const ExprEvaluator> expressions_;
  std::vector<Target> targets_;
};

// Every row of the source held in memory (within the budget), then returned sorted (stable).
class SortStream : public RowStream {
 public:
  SortStream(std::unique_ptr<RowStream> source, RowComparator order,
             std::shared_ptr<MemoryBudget> budget);
  ~SortStream() override;
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  RowComparator order_;
  std::shared_ptr<MemoryBudget> budget_;
  std::vector<Row> rows_;
  size_t charged_ = 0;
  size_t chargedBytes_ = 0;
  size_t at_ = 0;
  bool loaded_ = false;
  bool failed_ = false;
};

// LIMIT offset, count: skips `offset` rows, then stops after `count` (no count: all the rest).
class LimitStream : public RowStream {
 public:
  LimitStream(std::unique_ptr<RowStream> source, uint64_t offset, std::optional<uint64_t> count);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  uint64_t offset_;
  std::optional<uint64_t> count_;
  uint64_t skipped_ = 0;
  uint64_t returned_ = 0;
};

// Keeps the first `width` cells of each row: drops the derived columns.
class ProjectStream : public RowStream {
 public:
  ProjectStream(std::unique_ptr<RowStream> source, size_t width);
  awaitable<Result<bool>> next(Row& row) override;
  std::string describe() const override;

 private:
  std::unique_ptr<RowStream> source_;
  size_t width_;
};

}  // namespace shardproxy::merger
