// The memory merges within their byte budget: wide rows stop a merge at its statement's or the
// process's limit, early, and everything charged is given back when the merge goes.
#include "common/memory_budget.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "merger/aggregate.h"
#include "merger/streams.h"
#include "merger_test_util.h"

namespace shardproxy::merger {
namespace {

using namespace testing;
using Op = ColumnMerge::Op;

constexpr size_t kWidth = 1000;  // bytes of each row's wide value

// `n` rows (key, wide value), keys from `first` on, each its own group.
std::vector<Row> wideRows(size_t first, size_t n) {
  std::vector<Row> rows;
  for (size_t i = first; i < first + n; ++i) {
    std::string key = std::to_string(i);
    Row r = row({key.c_str()});
    std::string wide = key;  // distinct values, each kWidth bytes
    wide.resize(kWidth, static_cast<char>('a' + i % 26));
    r.push_back(Cell{false, std::move(wide)});
    rows.push_back(std::move(r));
  }
  return rows;
}

RowComparator byInt(size_t column) {
  return RowComparator({SortKey{column, false, ColumnComparator(intColumn("k"))}});
}

AggregateSpec firsts(size_t columns) {
  AggregateSpec out;
  for (size_t i = 0; i < columns; ++i) out.columns.push_back(ColumnMerge{});
  return out;
}

// Two units of `perUnit` wide rows each, counting the rows pulled from them.
std::unique_ptr<RowStream> twoUnits(size_t perUnit, int* pulled) {
  Streams in;
  in.push_back(unit(wideRows(0, perUnit), pulled));
  in.push_back(unit(wideRows(perUnit, perUnit), pulled));
  return std::make_unique<ConcatStream>(std::move(in), 2);
}

TEST(MemoryBudgetBytes, GroupByStopsEarlyAtTheStatementLimit) {
  MemoryTracker memory(64 << 10, nullptr);
  int pulled = 0;
  {
    MemoryGroupByStream s(twoUnits(1000, &pulled), byInt(0), RowComparator(), firsts(2),
                          std::make_shared<MemoryBudget>(1'000'000, &memory));
    std::string out = drainText(s);
    EXPECT_EQ(out.substr(0, 10), "error 1038") << out;
    EXPECT_NE(out.find("more than 65536 bytes"), std::string::npos) << out;
    // Stopped at about 64 KiB of 1 KB rows, not after the 2000 rows of the units.
    std::printf("group by stopped after %d of 2000 rows, %llu bytes charged at peak\n", pulled,
                static_cast<unsigned long long>(memory.peak()));
    EXPECT_LT(pulled, 100);
  }
  EXPECT_EQ(memory.used(), 0u);  // everything given back with the stream
}

TEST(MemoryBudgetBytes, GroupByChargesAboutWhatItHolds) {
  MemoryTracker memory(0, nullptr);
  int pulled = 0;
  {
    MemoryGroupByStream s(twoUnits(500, &pulled), byInt(0), RowComparator(), firsts(2),
                          std::make_shared<MemoryBudget>(1'000'000, &memory));
    auto rows = drain(s);
    ASSERT_TRUE(rows) << rows.status().message();
    EXPECT_EQ(rows->size(), 1000u);
  }
  // 1000 groups of 1 KB values: the key row, the accumulator's copy, then the merged row.
  uint64_t raw = 1000 * kWidth;
  std::printf("1000 groups of %zu-byte rows: %llu bytes charged at peak\n", kWidth,
              static_cast<unsigned long long>(memory.peak()));
  EXPECT_GE(memory.peak(), 2 * raw);
  EXPECT_LE(memory.peak(), 6 * raw);
  EXPECT_EQ(memory.used(), 0u);
}

TEST(MemoryBudgetBytes, RowLimitStillHolds) {
  MemoryTracker memory(0, nullptr);
  MemoryGroupByStream s(twoUnits(10, nullptr), byInt(0), RowComparator(), firsts(2),
                        std::make_shared<MemoryBudget>(5, &memory));
  EXPECT_EQ(drainText(s).substr(0, 36), "error 1038: Out of merge memory: mor");
}

TEST(MemoryBudgetBytes, SortStopsAtTheLimit) {
  MemoryTracker memory(64 << 10, nullptr);
  int pulled = 0;
  {
    SortStream s(twoUnits(1000, &pulled), byInt(0),
                 std::make_shared<MemoryBudget>(1'000'000, &memory));
    EXPECT_EQ(drainText(s).substr(0, 10), "error 1038");
    EXPECT_LT(pulled, 100);
  }
  EXPECT_EQ(memory.used(), 0u);
}

TEST(MemoryBudgetBytes, DistinctStopsAtTheLimit) {
  MemoryTracker memory(64 << 10, nullptr);
  int pulled = 0;
  {
    DistinctStream s(twoUnits(1000, &pulled), byInt(0),
                     std::make_shared<MemoryBudget>(1'000'000, &memory));
    EXPECT_EQ(drainText(s).substr(0, 10), "error 1038");
    EXPECT_LT(pulled, 100);
  }
  EXPECT_EQ(memory.used(), 0u);
}

TEST(MemoryBudgetBytes, DistinctValuesOfAnAggregateAreCharged) {
  // COUNT(DISTINCT v) over one group: the distinct wide values are what is held.
  AggregateSpec spec;
  ColumnMerge m;
  m.op = Op::CountDistinct;
  m.args = {1};
  m.argKey = RowComparator({SortKey{0, false, ColumnComparator(stringColumn("v", 63))}});
  spec.columns = {ColumnMerge{}, m};
  MemoryTracker memory(64 << 10, nullptr);
  MemoryBudget budget(1'000'000, &memory);
  Status s;
  size_t added = 0;
  {
    GroupAccumulator group(spec, &budget);
    for (const Row& r : wideRows(0, 1000)) {
      Row same = r;
      same[0] = Cell{false, "1"};
      s = group.add(same);
      ++added;
      if (!s) break;
    }
  }
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), 1038);
  EXPECT_LT(added, 100u);
  EXPECT_EQ(memory.used(), 0u);
}

TEST(MemoryBudgetBytes, ProcessLimitStopsTheStatementThatReachesIt) {
  // One statement holds most of the process's memory; another then fails with 1041 while the
  // first goes on, and once the first is gone the second's next attempt works.
  ProcessMemory process(16 * MemoryTracker::kChunk);
  auto first = std::make_unique<MemoryTracker>(0, &process);
  ASSERT_TRUE(first->charge(15 * MemoryTracker::kChunk));
  {
    MemoryTracker second(0, &process);
    MemoryGroupByStream s(twoUnits(1500, nullptr), byInt(0), RowComparator(), firsts(2),
                          std::make_shared<MemoryBudget>(1'000'000, &second));
    std::string out = drainText(s);
    EXPECT_EQ(out.substr(0, 10), "error 1041") << out;
  }
  EXPECT_EQ(process.used(), 15 * MemoryTracker::kChunk);
  first.reset();
  {
    MemoryTracker second(0, &process);
    MemoryGroupByStream s(twoUnits(1500, nullptr), byInt(0), RowComparator(), firsts(2),
                          std::make_shared<MemoryBudget>(1'000'000, &second));
    auto rows = drain(s);
    ASSERT_TRUE(rows) << rows.status().message();
    EXPECT_EQ(rows->size(), 3000u);
  }
  EXPECT_EQ(process.used(), 0u);
}

TEST(MemoryMergeInSteps, LargeSortIsSortedAndStable) {
  // More rows than one step sorts: runs sorted apart, then merged; equal keys keep their order.
  std::vector<Row> rows;
  for (int i = 0; i < 10000; ++i) {
    std::string key = std::to_string((i * 7919) % 97);
    std::string seq = std::to_string(i);
    rows.push_back(row({key.c_str(), seq.c_str()}));
  }
  Streams in;
  in.push_back(unit(rows));
  SortStream s(std::make_unique<ConcatStream>(std::move(in), 2), byInt(0),
               std::make_shared<MemoryBudget>(1'000'000));
  auto out = drain(s);
  ASSERT_TRUE(out) << out.status().message();
  ASSERT_EQ(out->size(), 10000u);
  for (size_t i = 1; i < out->size(); ++i) {
    long k0 = std::stol((*out)[i - 1][0].text), k1 = std::stol((*out)[i][0].text);
    ASSERT_LE(k0, k1) << i;
    if (k0 == k1) {
      ASSERT_LT(std::stol((*out)[i - 1][1].text), std::stol((*out)[i][1].text)) << i;
    }
  }
}

TEST(MemoryMergeInSteps, OtherWorkRunsWhileAMemoryMergeWorks) {
  // The units' rows are all at hand (nothing to wait for), yet a task posted to the same
  // io_context runs before the merge's sort and finish are done.
  AggregateSpec spec = firsts(2);
  MemoryGroupByStream s(twoUnits(6000, nullptr), byInt(0), byInt(0), spec,
                        std::make_shared<MemoryBudget>(1'000'000));
  asio::io_context io;
  bool mergeDone = false;
  bool otherRanFirst = false;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        Row r;
        auto got = co_await s.next(r);
        EXPECT_TRUE(got && *got);
        mergeDone = true;
      },
      asio::detached);
  asio::post(io, [&] { otherRanFirst = !mergeDone; });
  io.run();
  EXPECT_TRUE(mergeDone);
  EXPECT_TRUE(otherRanFirst);
}

}  // namespace
}  // namespace shardproxy::merger
