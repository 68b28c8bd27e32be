// Each merge primitive on its own, over fake unit streams.
#include "merger/streams.h"

#include <gtest/gtest.h>

#include "merger_test_util.h"

namespace shardproxy::merger {
namespace {

using namespace testing;
using Op = ColumnMerge::Op;

std::shared_ptr<MemoryBudget> budget(size_t rows = 1000) {
  return std::make_shared<MemoryBudget>(rows);
}

RowComparator byInt(size_t column, bool desc = false) {
  return RowComparator({SortKey{column, desc, ColumnComparator(intColumn("k"))}});
}

TEST(ConcatStream, UnitsInOrder) {
  ConcatStream s(units({{row({"1"}), row({"2"})}, {}, {row({"3"})}}), 1);
  EXPECT_EQ(drainText(s), "1|2|3");
}

TEST(ConcatStream, NoUnits) {
  ConcatStream s({}, 1);
  EXPECT_EQ(drainText(s), "");
}

TEST(ConcatStream, UnitErrorEndsTheStream) {
  Streams in;
  in.push_back(unit({row({"1"})}));
  auto failing = std::make_unique<FakeStream>(std::vector<Row>{row({"2"}), row({"3"})});
  failing->failAfter(1);
  in.push_back(std::move(failing));
  ConcatStream s(std::move(in), 1);
  EXPECT_EQ(drainText(s), "error 2013: Lost connection to MySQL server");
}

TEST(ConcatStream, RowOfTheWrongWidthIsAnError) {
  ConcatStream s(units({{row({"1", "2"})}}), 1);
  EXPECT_EQ(drainText(s).substr(0, 10), "error 1105");
}

TEST(MergeSortStream, KWayMerge) {
  MergeSortStream s(units({{row({"1"}), row({"4"}), row({"9"})},
                           {row({"2"}), row({"3"}), row({"10"})},
                           {},
                           {row({"5"})}}),
                    1, byInt(0));
  EXPECT_EQ(drainText(s), "1|2|3|4|5|9|10");
}

TEST(MergeSortStream, Descending) {
  MergeSortStream s(units({{row({"9"}), row({"1"})}, {row({"10"}), row({"-3"})}}), 1,
                    byInt(0, true));
  EXPECT_EQ(drainText(s), "10|9|1|-3");
}

TEST(MergeSortStream, TiesComeLowerUnitFirst) {
  MergeSortStream s(units({{row({"1", "u0a"}), row({"2", "u0b"})},
                           {row({"1", "u1a"}), row({"2", "u1b"})},
                           {row({"1", "u2a"})}}),
                    2, byInt(0));
  EXPECT_EQ(drainText(s), "1,u0a|1,u1a|1,u2a|2,u0b|2,u1b");
}

TEST(MergeSortStream, NullsFirstAscendingLastDescending) {
  {
    MergeSortStream s(units({{row({nullptr}), row({"1"})}, {row({"0"})}}), 1, byInt(0));
    EXPECT_EQ(drainText(s), "NULL|0|1");
  }
  {
    MergeSortStream s(units({{row({"1"}), row({nullptr})}, {row({"0"})}}), 1, byInt(0, true));
    EXPECT_EQ(drainText(s), "1|0|NULL");
  }
}

TEST(MergeSortStream, ReadsOnlyWhatItReturns) {
  int pulled0 = 0;
  int pulled1 = 0;
  Streams in;
  in.push_back(unit({row({"1"}), row({"3"}), row({"5"})}, &pulled0));
  in.push_back(unit({row({"2"}), row({"4"}), row({"6"})}, &pulled1));
  MergeSortStream s(std::move(in), 1, byInt(0));
  auto rows = drain(s, 2);
  ASSERT_TRUE(rows);
  EXPECT_EQ(text(*rows), "1|2");
  EXPECT_EQ(pulled0, 2);  // "1" and its successor "3", needed to pick the second row
  EXPECT_EQ(pulled1, 1);
}

TEST(MergeSortStream, UnitError) {
  Streams in;
  in.push_back(unit({row({"1"})}));
  auto failing = std::make_unique<FakeStream>(std::vector<Row>{row({"0"}), row({"2"})});
  failing->failAfter(1);
  in.push_back(std::move(failing));
  MergeSortStream s(std::move(in), 1, byInt(0));
  EXPECT_EQ(drainText(s), "error 2013: Lost connection to MySQL server");
}

AggregateSpec spec(std::vector<Op> ops) {
  AggregateSpec out;
  for (Op op : ops) {
    ColumnMerge m;
    m.op = op;
    m.comparator = ColumnComparator(intColumn("c"));
    out.columns.push_back(m);
  }
  return out;
}

TEST(StreamGroupByStream, ConsecutiveEqualKeysAreOneGroup) {
  // k, COUNT, SUM, MIN, MAX
  auto source = std::make_unique<MergeSortStream>(
      units({{row({"1", "2", "10", "3", "7"}), row({"3", "1", "5", "5", "5"})},
             {row({"1", "3", "1.5", "-1", "4"}), row({"2", "1", "2", "2", "2"})}}),
      5, byInt(0));
  StreamGroupByStream s(std::move(source), byInt(0),
                        spec({Op::First, Op::Count, Op::Sum, Op::Min, Op::Max}), budget());
  EXPECT_EQ(drainText(s), "1,5,11.5,-1,7|2,1,2,2,2|3,1,5,5,5");
}

TEST(StreamGroupByStream, NoKeysIsOneRowEvenOnEmptyInput) {
  {
    StreamGroupByStream s(
        std::make_unique<ConcatStream>(units({{row({"2", "3"})}, {row({"5", "1"})}}), 2),
        RowComparator(), spec({Op::Count, Op::Sum}), budget());
    EXPECT_EQ(drainText(s), "7,4");
  }
  {
    StreamGroupByStream s(std::make_unique<ConcatStream>(units({{}, {}}), 5), RowComparator(),
                          spec({Op::Count, Op::Sum, Op::Min, Op::BitAnd, Op::BitOr}), budget());
    EXPECT_EQ(drainText(s), "0,NULL,NULL,18446744073709551615,0");
  }
}

TEST(StreamGroupByStream, GroupKeysWithEmptyInputGiveNoRows) {
  StreamGroupByStream s(std::make_unique<ConcatStream>(units({{}}), 2), byInt(0),
                        spec({Op::First, Op::Count}), budget());
  EXPECT_EQ(drainText(s), "");
}

TEST(StreamGroupByStream, BitAndGroupConcat) {
  StreamGroupByStream s(std::make_unique<ConcatStream>(units({{row({"12", "12", "6", "a,b"})},
                                                              {row({"10", "3", "3", nullptr})},
                                                              {row({"7", "0", "5", "c"})}}),
                                                       4),
                        RowComparator(), spec({Op::BitAnd, Op::BitOr, Op::BitXor, Op::GroupConcat}),
                        budget());
  EXPECT_EQ(drainText(s), "0,15,0,a,b,c");
}

TEST(StreamGroupByStream, SourceErrorEndsIt) {
  auto failing = std::make_unique<FakeStream>(std::vector<Row>{row({"1", "1"}), row({"1", "2"})});
  failing->failAfter(1);
  StreamGroupByStream s(std::move(failing), byInt(0), spec({Op::First, Op::Count}), budget());
  EXPECT_EQ(drainText(s), "error 2013: Lost connection to MySQL server");
}

TEST(MemoryGroupByStream, UnsortedInputOrderedByGroups) {
  MemoryGroupByStream s(std::make_unique<ConcatStream>(
                            units({{row({"3", "1"}), row({"1", "2"})},
                                   {row({"2", "5"}), row({"3", "4"}), row({nullptr, "1"})}}),
                            2),
                        byInt(0), RowComparator(), spec({Op::First, Op::Count}), budget());
  EXPECT_EQ(drainText(s), "NULL,1|1,2|2,5|3,5");
}

TEST(MemoryGroupByStream, ThenSortedByOrder) {
  // ORDER BY the merged count DESC: only known after merging.
  MemoryGroupByStream s(
      std::make_unique<ConcatStream>(
          units({{row({"a", "1"}), row({"b", "3"})}, {row({"a", "4"}), row({"c", "2"})}}), 2),
      RowComparator({SortKey{0, false, ColumnComparator(stringColumn("g"))}}), byInt(1, true),
      spec({Op::First, Op::Count}), budget());
  EXPECT_EQ(drainText(s), "a,5|b,3|c,2");
}

TEST(MemoryGroupByStream, GroupsBeyondTheLimitAreAnError) {
  MemoryGroupByStream s(std::make_unique<ConcatStream>(
                            units({{row({"1", "1"}), row({"2", "1"})}, {row({"3", "1"})}}), 2),
                        byInt(0), RowComparator(), spec({Op::First, Op::Count}), budget(2));
  std::string out = drainText(s);
  EXPECT_EQ(out.substr(0, 10), "error 1038") << out;
  EXPECT_NE(out.find("more than 2 rows"), std::string::npos) << out;
}

TEST(DistinctStream, DropsRepeatsByTheColumnsRules) {
  RowComparator key({SortKey{0, false, ColumnComparator(stringColumn("s"))}});
  DistinctStream s(
      std::make_unique<ConcatStream>(units({{row({"a"}), row({"B"}), row({nullptr})},
                                            {row({"A"}), row({"b "}), row({nullptr}), row({"c"})}}),
                                     1),
      std::move(key), budget());
  EXPECT_EQ(drainText(s), "a|B|NULL|c");
}

TEST(DistinctStream, MemoryLimit) {
  DistinctStream s(std::make_unique<ConcatStream>(units({{row({"1"}), row({"1"}), row({"2"})}}), 1),
                   byInt(0), budget(1));
  EXPECT_EQ(drainText(s).substr(0, 10), "error 1038");
}

TEST(LimitStream, OffsetAndCount) {
  auto source = [] {
    return std::make_unique<ConcatStream>(
        units({{row({"1"}), row({"2"})}, {row({"3"}), row({"4"})}}), 1);
  };
  {
    LimitStream s(source(), 1, 2);
    EXPECT_EQ(drainText(s), "2|3");
  }
  {
    LimitStream s(source(), 3, std::nullopt);
    EXPECT_EQ(drainText(s), "4");
  }
  {
    LimitStream s(source(), 10, 5);
    EXPECT_EQ(drainText(s), "");
  }
  {
    LimitStream s(source(), 0, 0);
    EXPECT_EQ(drainText(s), "");
  }
}

TEST(LimitStream, StopsReadingAfterCount) {
  int pulled = 0;
  Streams in;
  in.push_back(unit({row({"1"}), row({"2"}), row({"3"}), row({"4"})}, &pulled));
  LimitStream s(std::make_unique<ConcatStream>(std::move(in), 1), 1, 1);
  EXPECT_EQ(drainText(s), "2");
  EXPECT_EQ(pulled, 2);
}

TEST(ProjectStream, DropsTrailingColumns) {
  ProjectStream s(std::make_unique<ConcatStream>(units({{row({"1", "x", "y"})}}), 3), 1);
  EXPECT_EQ(drainText(s), "1");
}

TEST(Streams, Describe) {
  auto s = std::make_unique<ProjectStream>(
      std::make_unique<LimitStream>(
          std::make_unique<MergeSortStream>(units({{}, {}}), 1, byInt(0, true)), 2, 3),
      1);
  EXPECT_EQ(s->describe(), "Project[1](Limit[2,3](MergeSort[0 desc](Unit, Unit)))");
}

}  // namespace
}  // namespace shardproxy::merger
