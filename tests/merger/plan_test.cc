// PlannedMerge and buildMergePlan: the primitives chosen from a MergeSpec, what describe() says
// of them, and the merged rows of whole statements over several fake units.
#include "merger/plan.h"

#include <gtest/gtest.h>

#include "merger_test_util.h"

namespace shardproxy::merger {
namespace {

using namespace testing;
using Kind = AggregateKind;

MergeSpec::SortItem by(std::string label, bool desc = false) {
  MergeSpec::SortItem item;
  item.label = std::move(label);
  item.desc = desc;
  return item;
}

MergeSpec::SortItem byPosition(uint32_t position, bool desc = false) {
  MergeSpec::SortItem item;
  item.position = position;
  item.desc = desc;
  return item;
}

MergeSpec::Aggregate agg(Kind kind, std::string label) {
  MergeSpec::Aggregate a;
  a.kind = kind;
  a.label = std::move(label);
  return a;
}

// A DISTINCT aggregate: its column holds each unit row's partial value (ignored), `args` the
// derived columns of its arguments.
MergeSpec::Aggregate distinctAgg(Kind kind, std::string label, std::vector<std::string> args) {
  MergeSpec::Aggregate a = agg(kind, std::move(label));
  a.distinct = true;
  a.argLabels = std::move(args);
  return a;
}

MergeSpec::Aggregate avg(std::string label, int n) {
  MergeSpec::Aggregate a = agg(Kind::Avg, std::move(label));
  a.countLabel = "AVG_DERIVED_COUNT_" + std::to_string(n);
  a.sumLabel = "AVG_DERIVED_SUM_" + std::to_string(n);
  return a;
}

// GROUP BY items with the ORDER BY the rewriter adds when there is none.
void groupBy(MergeSpec& m, std::vector<MergeSpec::SortItem> items) {
  m.groupBy = items;
  m.orderBy = items;
  m.groupByEqualsOrderBy = true;
}

struct Merged {
  std::string rows;  // as drainText writes them
  std::string plan;  // describe()
  size_t visible = 0;
};

Merged merge(const MergeSpec& m, const std::vector<ColumnInfo>& columns,
             std::vector<std::vector<Row>> shards, MergeLimits limits = {}) {
  auto plan = buildMergePlan(m, columns, units(std::move(shards)), limits);
  if (!plan) {
    return {"plan error " + std::to_string(plan.status().code()) + " " + plan.status().sqlState() +
                ": " + plan.status().message(),
            "", 0};
  }
  // The const plan describes itself as the spec alone does.
  auto planned = PlannedMerge::plan(m, columns);
  EXPECT_TRUE(planned);
  if (planned) {
    EXPECT_EQ(planned->describe(), describeMerge(m));
  }
  Merged out;
  out.plan = plan->rows->describe();
  out.visible = plan->visibleColumns;
  out.rows = drainText(*plan->rows);
  return out;
}

// ---- plain and sorted -------------------------------------------------------------------------

TEST(MergePlan, NothingToMergeIsConcatenation) {
  Merged r = merge({}, {intColumn("id"), stringColumn("name")},
                   {{row({"3", "c"}), row({"1", "a"})}, {row({"2", "b"})}});
  EXPECT_EQ(r.plan, "Concat(Unit, Unit)");
  EXPECT_EQ(r.rows, "3,c|1,a|2,b");
  EXPECT_EQ(r.visible, 2u);
}

TEST(MergePlan, OrderByLabelCaseInsensitive) {
  MergeSpec m;
  m.orderBy = {by("NAME", true)};
  Merged r = merge(m, {intColumn("id"), stringColumn("name")},
                   {{row({"1", "b"}), row({"2", "A"})}, {row({"3", "C"}), row({"4", "a"})}});
  EXPECT_EQ(r.plan, "MergeSort[1 desc](Unit, Unit)");
  EXPECT_EQ(r.rows, "3,C|1,b|2,A|4,a");  // A and a tie: lower unit first
}

TEST(MergePlan, OrderByPosition) {
  MergeSpec m;
  m.orderBy = {byPosition(1)};
  Merged r = merge(m, {intColumn("id"), stringColumn("name")},
                   {{row({"1", "x"}), row({"10", "x"})}, {row({"-2", "y"}), row({"9", "y"})}});
  EXPECT_EQ(r.rows, "-2,y|1,x|9,y|10,x");
}

TEST(MergePlan, OrderByDerivedColumnIsProjectedAway) {
  MergeSpec m;
  m.orderBy = {by("ORDER_BY_DERIVED_0")};
  m.derivedLabels = {"ORDER_BY_DERIVED_0"};
  Merged r = merge(m, {stringColumn("name"), intColumn("ORDER_BY_DERIVED_0")},
                   {{row({"b", "2"}), row({"d", "4"})}, {row({"a", "1"}), row({"c", "3"})}});
  EXPECT_EQ(r.plan, "Project[1](MergeSort[1](Unit, Unit))");
  EXPECT_EQ(r.visible, 1u);
  EXPECT_EQ(r.rows, "a|b|c|d");
}

TEST(MergePlan, OrderByNumbersBeyondInt64AsDecimal) {
  MergeSpec m;
  m.orderBy = {by("v")};
  Merged r = merge(m, {decimalColumn("v", 0)},
                   {{row({"-99999999999999999999"}), row({"18446744073709551616"})},
                    {row({"-5"}), row({"9223372036854775807"}), row({"99999999999999999999999"})}});
  EXPECT_EQ(r.rows,
            "-99999999999999999999|-5|9223372036854775807|18446744073709551616|"
            "99999999999999999999999");
}

TEST(MergePlan, OrderByDecimalsAndNulls) {
  MergeSpec m;
  m.orderBy = {by("price")};
  Merged r =
      merge(m, {decimalColumn("price", 2)},
            {{row({nullptr}), row({"9.75"}), row({"10.50"})}, {row({"-1.00"}), row({"10.5"})}});
  EXPECT_EQ(r.rows, "NULL|-1.00|9.75|10.50|10.5");
}

TEST(MergePlan, LimitWithOffsetAcrossUnits) {
  // SELECT id FROM t ORDER BY id LIMIT 2, 3: each unit ran LIMIT 0, 5.
  MergeSpec m;
  m.orderBy = {by("id")};
  m.offset = 2;
  m.count = 3;
  Merged r = merge(m, {intColumn("id")},
                   {{row({"1"}), row({"4"}), row({"5"}), row({"8"}), row({"9"})},
                    {row({"2"}), row({"3"}), row({"6"}), row({"7"}), row({"10"})}});
  EXPECT_EQ(r.plan, "Limit[2,3](MergeSort[0](Unit, Unit))");
  EXPECT_EQ(r.rows, "3|4|5");
}

TEST(MergePlan, LimitWithoutOrderBy) {
  MergeSpec m;
  m.offset = 0;
  m.count = 2;
  Merged r = merge(m, {intColumn("id")}, {{row({"1"})}, {row({"2"}), row({"3"})}});
  EXPECT_EQ(r.rows, "1|2");
}

TEST(MergePlan, SelectDistinct) {
  MergeSpec m;
  m.distinct = true;
  m.orderBy = {by("name")};
  m.count = 3;
  m.offset = 0;
  Merged r = merge(m, {stringColumn("name")},
                   {{row({"a"}), row({"b"}), row({"c"})}, {row({"A"}), row({"B "}), row({"d"})}});
  EXPECT_EQ(r.plan, "Limit[0,3](Distinct[0](MergeSort[0](Unit, Unit)))");
  EXPECT_EQ(r.rows, "a|b|c");
}

TEST(MergePlan, SelectDistinctBinaryKeepsCase) {
  MergeSpec m;
  m.distinct = true;
  Merged r = merge(m, {stringColumn("name", 46)}, {{row({"a"})}, {row({"A"}), row({"a"})}});
  EXPECT_EQ(r.rows, "a|A");
}

TEST(MergePlan, SelectDistinctOverTheVisibleColumnsOnly) {
  MergeSpec m;
  m.distinct = true;
  m.derivedLabels = {"ORDER_BY_DERIVED_0"};
  Merged r = merge(m, {intColumn("a"), intColumn("ORDER_BY_DERIVED_0")},
                   {{row({"1", "5"})}, {row({"1", "6"}), row({"2", "6"})}});
  EXPECT_EQ(r.rows, "1|2");
}

// ---- aggregates without GROUP BY --------------------------------------------------------------

TEST(MergePlan, AggregatesWithoutGroupBy) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "COUNT(*)"), agg(Kind::Sum, "SUM(amount)"),
                  agg(Kind::Min, "MIN(amount)"), agg(Kind::Max, "max(amount)"),
                  avg("AVG(amount)", 0)};
  m.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  std::vector<ColumnInfo> cols = {intColumn("COUNT(*)"),
                                  decimalColumn("SUM(amount)", 3),
                                  decimalColumn("MIN(amount)", 3),
                                  decimalColumn("MAX(amount)", 3),
                                  decimalColumn("AVG(amount)", 7),
                                  intColumn("AVG_DERIVED_COUNT_0"),
                                  decimalColumn("AVG_DERIVED_SUM_0", 3)};
  Merged r = merge(m, cols,
                   {{row({"1", "1.10", "1.10", "1.10", "1.1000000", "1", "1.10"})},
                    {row({"1", "2.205", "2.205", "2.205", "2.2050000", "1", "2.205"})},
                    {row({"0", nullptr, nullptr, nullptr, nullptr, "0", nullptr})}});
  EXPECT_EQ(r.plan, "Project[5](Aggregate(Concat(Unit, Unit, Unit)))");
  EXPECT_EQ(r.rows, "2,3.305,1.10,2.205,1.6525000");
}

TEST(MergePlan, AggregatesOverNoRows) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "c"), agg(Kind::Sum, "s"), agg(Kind::Max, "m"), avg("a", 0),
                  agg(Kind::BitOr, "bo")};
  m.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  std::vector<ColumnInfo> cols = {intColumn("c"),
                                  decimalColumn("s", 0),
                                  intColumn("m"),
                                  decimalColumn("a", 4),
                                  intColumn("bo"),
                                  intColumn("AVG_DERIVED_COUNT_0"),
                                  decimalColumn("AVG_DERIVED_SUM_0", 0)};
  // Units that returned nothing at all, and units that returned MySQL's row for no rows.
  EXPECT_EQ(merge(m, cols, {{}, {}}).rows, "0,NULL,NULL,NULL,0");
  EXPECT_EQ(merge(m, cols,
                  {{row({"0", nullptr, nullptr, nullptr, "0", "0", nullptr})},
                   {row({"0", nullptr, nullptr, nullptr, "0", "0", nullptr})}})
                .rows,
            "0,NULL,NULL,NULL,0");
}

TEST(MergePlan, AvgScaleAndRounding) {
  MergeSpec m;
  m.aggregates = {avg("AVG(v)", 0)};
  m.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  std::vector<ColumnInfo> cols = {decimalColumn("AVG(v)", 4), intColumn("AVG_DERIVED_COUNT_0"),
                                  decimalColumn("AVG_DERIVED_SUM_0", 0)};
  // 2 / 3 -> 0.6667; -2 / 3 -> -0.6667 (half away from zero)
  EXPECT_EQ(merge(m, cols, {{row({"1.0000", "1", "1"})}, {row({"0.5000", "2", "1"})}}).rows,
            "0.6667");
  EXPECT_EQ(merge(m, cols, {{row({"-1.0000", "1", "-1"})}, {row({"-0.5000", "2", "-1"})}}).rows,
            "-0.6667");
}

TEST(MergePlan, AvgOfDoubles) {
  MergeSpec m;
  m.aggregates = {avg("AVG(d)", 0), agg(Kind::Sum, "SUM(d)")};
  m.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  std::vector<ColumnInfo> cols = {doubleColumn("AVG(d)"), doubleColumn("SUM(d)"),
                                  intColumn("AVG_DERIVED_COUNT_0"),
                                  doubleColumn("AVG_DERIVED_SUM_0")};
  EXPECT_EQ(
      merge(m, cols, {{row({"0.1", "0.1", "1", "0.1"})}, {row({"0.2", "0.2", "1", "0.2"})}}).rows,
      "0.15000000000000002,0.30000000000000004");
}

TEST(MergePlan, MinMaxOfStringsByCollation) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Min, "MIN(name)"), agg(Kind::Max, "MAX(name)")};
  std::vector<ColumnInfo> ci = {stringColumn("MIN(name)"), stringColumn("MAX(name)")};
  Merged r = merge(m, ci, {{row({"banana", "b"})}, {row({"Apple", "B"})}, {row({"cherry", "a"})}});
  EXPECT_EQ(r.rows, "Apple,b");  // "b" and "B" tie: the first one kept
  std::vector<ColumnInfo> bin = {stringColumn("MIN(name)", 46), stringColumn("MAX(name)", 46)};
  r = merge(m, bin, {{row({"banana", "b"})}, {row({"Apple", "B"})}, {row({"cherry", "a"})}});
  EXPECT_EQ(r.rows, "Apple,b");
  r = merge(m, bin, {{row({"apple", "B"})}, {row({"Banana", "a"})}});
  EXPECT_EQ(r.rows, "Banana,a");
}

TEST(MergePlan, MinMaxKeepTheOriginalText) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Min, "lo"), agg(Kind::Max, "hi")};
  Merged r = merge(m, {decimalColumn("lo", 2), decimalColumn("hi", 2)},
                   {{row({"9.75", "9.75"})}, {row({"10.50", "10.50"})}, {row({nullptr, nullptr})}});
  EXPECT_EQ(r.rows, "9.75,10.50");
}

// The units' rows for SELECT COUNT(DISTINCT x), SUM(DISTINCT x) AS s, AVG(DISTINCT x) AS a
// ... GROUP BY x: each aggregate over one value of x, then x itself (derived).
TEST(MergePlan, DistinctAggregatesWithoutGroupBy) {
  MergeSpec m;
  m.aggregates = {distinctAgg(Kind::Count, "COUNT(DISTINCT x)", {"D0"}),
                  distinctAgg(Kind::Sum, "s", {"D0"}), distinctAgg(Kind::Avg, "a", {"D0"})};
  m.derivedLabels = {"D0"};
  std::vector<ColumnInfo> cols = {intColumn("COUNT(DISTINCT x)"), decimalColumn("s", 0),
                                  decimalColumn("a", 4), intColumn("D0")};
  Merged r = merge(m, cols,
                   {{row({"1", "1", "1.0000", "1"}), row({"1", "2", "2.0000", "2"}),
                     row({"0", nullptr, nullptr, nullptr})},
                    {row({"1", "2", "2.0000", "2"}), row({"1", "4", "4.0000", "4"})}});
  EXPECT_EQ(r.rows, "3,7,2.3333");
  EXPECT_EQ(r.visible, 3u);
  EXPECT_EQ(merge(m, cols, {{}, {}}).rows, "0,NULL,NULL");
}

TEST(MergePlan, DistinctValuesComparedByTheColumnsRules) {
  MergeSpec m;
  m.aggregates = {distinctAgg(Kind::Count, "c", {"D0"}), distinctAgg(Kind::Sum, "s", {"D1"})};
  m.derivedLabels = {"D0", "D1"};
  Merged r =
      merge(m, {intColumn("c"), decimalColumn("s", 2), stringColumn("D0"), decimalColumn("D1", 2)},
            {{row({"1", "1.50", "abc", "1.50"})},
             {row({"1", "1.50", "ABC", "1.5"})},
             {row({"1", "2.00", "abd", "2"})}});
  EXPECT_EQ(r.rows, "2,3.50");
}

TEST(MergePlan, DistinctAggregatesNextToOtherAggregates) {
  // SELECT COUNT(*), SUM(v), MAX(v), COUNT(DISTINCT x): the units group by x; the plain
  // aggregates add up over the pieces, the distinct one counts x once.
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "COUNT(*)"), agg(Kind::Sum, "SUM(v)"), agg(Kind::Max, "MAX(v)"),
                  distinctAgg(Kind::Count, "COUNT(DISTINCT x)", {"D0"})};
  m.derivedLabels = {"D0"};
  std::vector<ColumnInfo> cols = {intColumn("COUNT(*)"), decimalColumn("SUM(v)", 0),
                                  intColumn("MAX(v)"), intColumn("COUNT(DISTINCT x)"),
                                  intColumn("D0")};
  Merged r = merge(m, cols,
                   {{row({"2", "3", "2", "1", "7"}), row({"1", "5", "5", "0", nullptr})},
                    {row({"3", "30", "20", "1", "7"}), row({"1", "1", "1", "1", "8"})}});
  EXPECT_EQ(r.rows, "7,39,20,2");
  EXPECT_EQ(r.plan, "Project[4](Aggregate(Concat(Unit, Unit)))");
}

TEST(MergePlan, CountDistinctOfSeveralArgumentsIgnoresTuplesWithNull) {
  // COUNT(DISTINCT a, b): the tuples (a, b) with no NULL, each once.
  MergeSpec m;
  m.aggregates = {distinctAgg(Kind::Count, "n", {"D0", "D1"})};
  m.derivedLabels = {"D0", "D1"};
  std::vector<ColumnInfo> cols = {intColumn("n"), intColumn("D0"), stringColumn("D1")};
  Merged r = merge(m, cols,
                   {{row({"1", "1", "x"}), row({"1", "1", "y"}), row({"0", "2", nullptr})},
                    {row({"1", "1", "X"}), row({"0", nullptr, "x"}), row({"1", "2", "x"})}});
  EXPECT_EQ(r.rows, "3");
}

// ---- GROUP_CONCAT -----------------------------------------------------------------------------

TEST(MergePlan, GroupConcatSeparatorAndMaxLength) {
  // The units' values joined by the separator, cut at group_concat_max_len bytes (each cut
  // value counted for the warning), no more values after the cut.
  MergeSpec m;
  m.aggregates = {agg(Kind::GroupConcat, "g")};
  m.aggregates[0].separator = "--";
  std::vector<ColumnInfo> cols = {stringColumn("g")};
  EXPECT_EQ(merge(m, cols, {{row({"a--b"})}, {row({nullptr})}, {row({"c"})}}).rows, "a--b--c");
  MergeLimits limits;
  limits.groupConcatMaxLen = 6;
  auto plan =
      buildMergePlan(m, cols, units({{row({"a--b"})}, {row({"cd"})}, {row({"e"})}}), limits);
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "a--b--");
  EXPECT_EQ(plan->notes->cutValues, 1u);
  // Not cut when exactly at the limit.
  plan = buildMergePlan(m, cols, units({{row({"ab"})}, {row({"cd"})}}), limits);
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "ab--cd");
  EXPECT_EQ(plan->notes->cutValues, 0u);
}

TEST(MergePlan, GroupConcatValueCutByAUnitEndsTheMergedValue) {
  // group_concat_max_len 4: a unit returned "caf" for "caf\xc3\xa9 cr\xc3\xa8me" (its full
  // length, 13, derived). MySQL takes no value after a cut one: "caf", not "caf,x".
  MergeSpec m;
  MergeSpec::Aggregate a = agg(Kind::GroupConcat, "g");
  a.lengthLabel = "L0";
  m.aggregates = {a};
  m.derivedLabels = {"L0"};
  std::vector<ColumnInfo> cols = {stringColumn("g"), intColumn("L0")};
  MergeLimits limits;
  limits.groupConcatMaxLen = 4;
  auto plan = buildMergePlan(m, cols, units({{row({"caf", "13"})}, {row({"x", "1"})}}), limits);
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "caf");
  EXPECT_EQ(plan->notes->cutValues, 1u);
  // After a whole value, a unit's cut one is joined, then cut where the whole would be.
  plan = buildMergePlan(m, cols, units({{row({"x", "1"})}, {row({"abcd", "9"})}}), limits);
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "x,ab");
  // Not cut: every value whole.
  plan = buildMergePlan(m, cols, units({{row({"x", "1"})}, {row({"y", "1"})}}), limits);
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "x,y");
  EXPECT_EQ(plan->notes->cutValues, 0u);
}

TEST(MergePlan, GroupConcatCutsBetweenCharacters) {
  MergeSpec m;
  m.aggregates = {agg(Kind::GroupConcat, "g")};
  MergeLimits limits;
  limits.groupConcatMaxLen = 5;
  // "a,\xc3\xa9\xc3\xa9": 5 bytes would split the second character.
  Merged r = merge(m, {stringColumn("g")}, {{row({"a"})}, {row({"\xc3\xa9\xc3\xa9"})}}, limits);
  EXPECT_EQ(r.rows, "a,\xc3\xa9");
  // A binary result is cut at the byte.
  r = merge(m, {stringColumn("g", 63)}, {{row({"a"})}, {row({"\xc3\xa9\xc3\xa9"})}}, limits);
  EXPECT_EQ(r.rows, "a,\xc3\xa9\xc3");
}

TEST(MergePlan, GroupConcatOrderedPiecesPerGroup) {
  // SELECT g, GROUP_CONCAT(v ORDER BY k DESC SEPARATOR ';') FROM t GROUP BY g: the units group
  // by g, k; each row's value holds the values tied on k; the merger sorts the pieces by k.
  MergeSpec m;
  groupBy(m, {by("g")});
  MergeSpec::Aggregate a = agg(Kind::GroupConcat, "c");
  a.separator = ";";
  a.orderBy = {by("K0", true)};
  m.aggregates = {a};
  m.derivedLabels = {"K0"};
  std::vector<ColumnInfo> cols = {intColumn("g"), stringColumn("c"), intColumn("K0")};
  Merged r = merge(m, cols,
                   {{row({"1", "p;q", "5"}), row({"1", "r", "9"}), row({"2", nullptr, "1"})},
                    {row({"1", "s", "7"}), row({"2", "t", "3"})}});
  EXPECT_EQ(r.rows, "1,r;s;p;q|2,t");
}

TEST(MergePlan, GroupConcatDistinctKeepsOneOfEqualValues) {
  // GROUP_CONCAT(DISTINCT v ORDER BY v): values equal under the column's collation once.
  MergeSpec m;
  MergeSpec::Aggregate a = distinctAgg(Kind::GroupConcat, "c", {"D0"});
  a.orderBy = {by("K0")};
  m.aggregates = {a};
  m.derivedLabels = {"D0", "K0"};
  std::vector<ColumnInfo> cols = {stringColumn("c"), stringColumn("D0"), stringColumn("K0")};
  Merged r =
      merge(m, cols,
            {{row({"b", "b", "b"}), row({"a", "a", "a"})},
             {row({"A", "A", "A"}), row({"c", "c", "c"}), row({nullptr, nullptr, nullptr})}});
  EXPECT_EQ(r.rows, "a,b,c");
  EXPECT_EQ(merge(m, cols, {{}, {}}).rows, "NULL");
}

TEST(MergePlan, BitAggregatesAndGroupConcat) {
  MergeSpec m;
  m.aggregates = {agg(Kind::BitXor, "x"), agg(Kind::BitAnd, "a"), agg(Kind::GroupConcat, "g")};
  Merged r = merge(m, {intColumn("x"), intColumn("a"), stringColumn("g")},
                   {{row({"5", "7", "p,q"})}, {row({"3", "6", "r"})}});
  EXPECT_EQ(r.rows, "6,6,p,q,r");
}

// ---- GROUP BY ---------------------------------------------------------------------------------

TEST(MergePlan, GroupByStreamMerge) {
  // SELECT g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY g (the units ORDER BY g).
  MergeSpec m;
  groupBy(m, {by("g")});
  m.aggregates = {agg(Kind::Count, "COUNT(*)"), agg(Kind::Sum, "SUM(v)"), avg("AVG(v)", 0)};
  m.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  std::vector<ColumnInfo> cols = {stringColumn("g"),
                                  intColumn("COUNT(*)"),
                                  decimalColumn("SUM(v)", 0),
                                  decimalColumn("AVG(v)", 4),
                                  intColumn("AVG_DERIVED_COUNT_0"),
                                  decimalColumn("AVG_DERIVED_SUM_0", 0)};
  Merged r =
      merge(m, cols,
            {{row({"a", "2", "3", "1.5000", "2", "3"}), row({"c", "1", "7", "7.0000", "1", "7"})},
             {row({"A", "1", "2", "2.0000", "1", "2"}), row({"b", "1", "4", "4.0000", "1", "4"})}});
  EXPECT_EQ(r.plan, "Project[4](StreamGroupBy[0](MergeSort[0](Unit, Unit)))");
  EXPECT_EQ(r.rows, "a,3,5,1.6667|b,1,4,4.0000|c,1,7,7.0000");
}

TEST(MergePlan, GroupByDescending) {
  MergeSpec m;
  groupBy(m, {by("g", true)});
  m.aggregates = {agg(Kind::Count, "n")};
  Merged r = merge(m, {intColumn("g"), intColumn("n")},
                   {{row({"3", "1"}), row({"1", "1"})}, {row({"2", "2"}), row({"1", "5"})}});
  EXPECT_EQ(r.rows, "3,1|2,2|1,6");
}

TEST(MergePlan, GroupByNotSelectedIsDerived) {
  // SELECT COUNT(*) FROM t GROUP BY g: g comes back as GROUP_BY_DERIVED_0.
  MergeSpec m;
  groupBy(m, {by("GROUP_BY_DERIVED_0")});
  m.aggregates = {agg(Kind::Count, "COUNT(*)")};
  m.derivedLabels = {"GROUP_BY_DERIVED_0"};
  Merged r = merge(m, {intColumn("COUNT(*)"), intColumn("GROUP_BY_DERIVED_0")},
                   {{row({"2", "1"}), row({"1", "2"})}, {row({"4", "1"})}});
  EXPECT_EQ(r.rows, "6|1");
  EXPECT_EQ(r.visible, 1u);
}

TEST(MergePlan, GroupByOrderedByAggregateInMemory) {
  // SELECT g, COUNT(*) AS n FROM t GROUP BY g ORDER BY n DESC LIMIT 2
  MergeSpec m;
  m.groupBy = {by("g")};
  m.orderBy = {by("n", true)};
  m.groupByEqualsOrderBy = false;
  m.aggregates = {agg(Kind::Count, "n")};
  m.offset = 0;
  m.count = 2;
  Merged r = merge(m, {stringColumn("g"), intColumn("n")},
                   {{row({"a", "5"}), row({"b", "3"}), row({"c", "1"})},
                    {row({"c", "9"}), row({"b", "1"}), row({"d", "2"})}});
  EXPECT_EQ(r.plan, "Limit[0,2](MemoryGroupBy[0][order 1 desc](Concat(Unit, Unit)))");
  EXPECT_EQ(r.rows, "c,10|a,5");
}

TEST(MergePlan, GroupByOrderByNotSelectedAggregate) {
  // SELECT g FROM t GROUP BY g ORDER BY SUM(v): the rewriter derives the SUM and merges it.
  MergeSpec m;
  m.groupBy = {by("g")};
  m.orderBy = {by("ORDER_BY_DERIVED_0")};
  m.groupByEqualsOrderBy = false;
  m.aggregates = {agg(Kind::Sum, "ORDER_BY_DERIVED_0")};
  m.derivedLabels = {"ORDER_BY_DERIVED_0"};
  Merged r = merge(m, {stringColumn("g"), decimalColumn("ORDER_BY_DERIVED_0", 0)},
                   {{row({"a", "10"}), row({"b", "1"})}, {row({"b", "2"}), row({"a", "-9"})}});
  EXPECT_EQ(r.rows, "a|b");
  EXPECT_EQ(r.visible, 1u);
}

TEST(MergePlan, GroupByWithDistinctAggregate) {
  // SELECT g, COUNT(DISTINCT x) FROM t GROUP BY g: units group by g, x, sorted by g.
  MergeSpec m;
  groupBy(m, {by("g")});
  m.aggregates = {distinctAgg(Kind::Count, "COUNT(DISTINCT x)", {"D0"})};
  m.derivedLabels = {"D0"};
  Merged r = merge(m, {intColumn("g"), intColumn("COUNT(DISTINCT x)"), intColumn("D0")},
                   {{row({"1", "1", "10"}), row({"1", "1", "11"}), row({"2", "1", "10"})},
                    {row({"1", "1", "11"}), row({"1", "1", "12"}), row({"3", "0", nullptr})}});
  EXPECT_EQ(r.rows, "1,3|2,1|3,0");
}

TEST(MergePlan, GroupByMemoryLimit) {
  MergeSpec m;
  m.groupBy = {by("g")};
  m.orderBy = {by("n")};
  m.groupByEqualsOrderBy = false;
  m.aggregates = {agg(Kind::Count, "n")};
  MergeLimits limits;
  limits.maxMemoryRows = 2;
  Merged r = merge(m, {intColumn("g"), intColumn("n")},
                   {{row({"1", "1"}), row({"2", "1"})}, {row({"3", "1"})}}, limits);
  EXPECT_EQ(r.rows.substr(0, 10), "error 1038") << r.rows;
  limits.maxMemoryRows = 3;
  r = merge(m, {intColumn("g"), intColumn("n")},
            {{row({"1", "1"}), row({"2", "1"})}, {row({"3", "1"})}}, limits);
  EXPECT_EQ(r.rows, "1,1|2,1|3,1");
}

TEST(MergePlan, DistinctValuesCountTowardsTheMemoryLimit) {
  MergeSpec m;
  m.aggregates = {distinctAgg(Kind::Count, "c", {"c"})};
  MergeLimits limits;
  limits.maxMemoryRows = 2;
  Merged r =
      merge(m, {intColumn("c")}, {{row({"1"}), row({"2"})}, {row({"2"}), row({"3"})}}, limits);
  EXPECT_EQ(r.rows.substr(0, 10), "error 1038") << r.rows;
}

// ---- expressions over merged aggregates --------------------------------------------------------

// Expression nodes for the tests below.
uint32_t exprNode(MergeSpec& m, MergeSpec::ExprNode n) {
  m.exprs.push_back(std::move(n));
  return static_cast<uint32_t>(m.exprs.size() - 1);
}
uint32_t columnNode(MergeSpec& m, MergeSpec::SortItem item) {
  MergeSpec::ExprNode n;
  n.kind = MergeSpec::ExprNode::Kind::Column;
  n.column = std::move(item);
  return exprNode(m, std::move(n));
}
uint32_t numberNode(MergeSpec& m, std::string text) {
  MergeSpec::ExprNode n;
  n.kind = MergeSpec::ExprNode::Kind::Literal;
  n.text = std::move(text);
  return exprNode(m, std::move(n));
}
uint32_t binaryNode(MergeSpec& m, std::string op, uint32_t a, uint32_t b) {
  MergeSpec::ExprNode n;
  n.kind = MergeSpec::ExprNode::Kind::Binary;
  n.op = std::move(op);
  n.args = {a, b};
  return exprNode(m, std::move(n));
}

TEST(MergePlan, HavingOverAnExpressionOfMergedAggregates) {
  // SELECT g, COUNT(*) FROM t GROUP BY g HAVING COUNT(*) * 2 > 4: judged on the merged count
  // (a unit's own count, 2 or 1, would drop group 1).
  MergeSpec m;
  groupBy(m, {byPosition(1)});
  m.aggregates = {agg(Kind::Count, "COUNT(*)")};
  uint32_t twice = binaryNode(m, "*", columnNode(m, byPosition(2)), numberNode(m, "2"));
  uint32_t root = binaryNode(m, ">", twice, numberNode(m, "4"));
  MergeSpec::HavingNode h;
  h.kind = MergeSpec::HavingNode::Kind::Expr;
  h.expr = root;
  m.having = {h};
  Merged r = merge(m, {intColumn("g"), intColumn("COUNT(*)")},
                   {{row({"1", "2"}), row({"2", "1"})}, {row({"1", "1"}), row({"3", "5"})}});
  EXPECT_EQ(r.rows, "1,3|3,5");
  EXPECT_EQ(describeMerge(m),
            "Having(((#2 * 2) > 4)) <- StreamGroupBy(group=[#1], aggregates=[COUNT COUNT(*)]) <- "
            "MergeSort(order=[#1]) <- units");
}

TEST(MergePlan, OrderByAnExpressionOfMergedAggregates) {
  // SELECT g, SUM(v) FROM t GROUP BY g ORDER BY SUM(v) / COUNT(*) DESC: the units' ratio
  // (ORDER_BY_DERIVED_0) is replaced by the merged one, then the groups are sorted.
  MergeSpec m;
  m.groupBy = {byPosition(1)};
  m.orderBy = {by("ORDER_BY_DERIVED_0", true)};
  m.groupByEqualsOrderBy = false;
  m.aggregates = {agg(Kind::Sum, "SUM(v)"), agg(Kind::Count, "ORDER_BY_DERIVED_1")};
  m.derivedLabels = {"ORDER_BY_DERIVED_0", "ORDER_BY_DERIVED_1"};
  uint32_t ratio =
      binaryNode(m, "/", columnNode(m, byPosition(2)), columnNode(m, by("ORDER_BY_DERIVED_1")));
  m.computed = {{by("ORDER_BY_DERIVED_0"), ratio}};
  std::vector<ColumnInfo> cols = {intColumn("g"), decimalColumn("SUM(v)", 0),
                                  decimalColumn("ORDER_BY_DERIVED_0", 4),
                                  intColumn("ORDER_BY_DERIVED_1")};
  // Group 1: 10 / 4 = 2.5; group 2: 9 / 2 = 4.5; group 3: 3 / 1 = 3.
  Merged r = merge(m, cols,
                   {{row({"1", "9", "3.0000", "3"}), row({"2", "1", "1.0000", "1"})},
                    {row({"1", "1", "1.0000", "1"}), row({"2", "8", "8.0000", "1"}),
                     row({"3", "3", "3.0000", "1"})}});
  EXPECT_EQ(r.rows, "2,9|3,3|1,10");
  EXPECT_EQ(r.plan.substr(0, 40), "Project[2](Sort[2 desc](Compute[2](Memor");
  EXPECT_EQ(
      describeMerge(m),
      "Project(drop=[ORDER_BY_DERIVED_0, ORDER_BY_DERIVED_1]) <- Sort(order=[ORDER_BY_DERIVED_0 "
      "DESC]) <- Compute([ORDER_BY_DERIVED_0 = (#2 / ORDER_BY_DERIVED_1)]) <- "
      "MemoryGroupBy(group=[#1], aggregates=[SUM SUM(v), COUNT ORDER_BY_DERIVED_1]) <- "
      "Concat <- units");
}

TEST(MergePlan, ExpressionErrorsReachTheClient) {
  // SELECT COUNT(*) * 9223372036854775807 ... HAVING ...: an overflow is an error, not a row.
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "c")};
  uint32_t big = binaryNode(m, "*", columnNode(m, by("c")), numberNode(m, "9223372036854775807"));
  m.computed = {{byPosition(1), big}};
  EXPECT_EQ(merge(m, {intColumn("c")}, {{row({"1"})}, {row({"1"})}}).rows.substr(0, 10),
            "error 1690");
  EXPECT_EQ(merge(m, {intColumn("c")}, {{row({"1"})}, {}}).rows, "9223372036854775807");
}

// ---- refusals and errors ------------------------------------------------------------------------

TEST(MergePlan, HavingOverGroupsIsRefused) {
  MergeSpec m;
  groupBy(m, {by("g")});
  m.aggregates = {agg(Kind::Count, "n")};
  m.hasHaving = true;
  Merged r = merge(m, {intColumn("g"), intColumn("n")}, {{}, {}});
  EXPECT_EQ(r.rows, "plan error 1235 42000: unsupported: HAVING over groups from several shards");
  // HAVING over the aggregate of the whole table is the same partial-group problem.
  MergeSpec whole;
  whole.aggregates = {agg(Kind::Count, "n")};
  whole.hasHaving = true;
  EXPECT_EQ(merge(whole, {intColumn("n")}, {{}}).rows.substr(0, 15), "plan error 1235");
  // HAVING without groups or aggregates filters rows, which each unit can do.
  MergeSpec plain;
  plain.hasHaving = true;
  EXPECT_EQ(merge(plain, {intColumn("a")}, {{row({"1"})}}).rows, "1");
}

TEST(MergePlan, HavingOnMergedGroups) {
  // SELECT g, COUNT(*) AS n FROM t GROUP BY g HAVING n > 1 AND (g <> 'x' OR n IS NULL): the
  // units ran without HAVING; a group split over units counts as a whole.
  using Node = MergeSpec::HavingNode;
  MergeSpec m;
  groupBy(m, {by("g")});
  m.aggregates = {agg(Kind::Count, "n")};
  Node all;
  all.kind = Node::Kind::And;
  all.children = {1, 2};
  Node more;
  more.kind = Node::Kind::Compare;
  more.op = CompareOp::Gt;
  more.column = by("n");
  more.constants = {"1"};
  Node either;
  either.kind = Node::Kind::Or;
  either.children = {3, 4};
  Node notX;
  notX.kind = Node::Kind::Compare;
  notX.op = CompareOp::Ne;
  notX.column = by("g");
  notX.constants = {"x"};
  Node isNull;
  isNull.kind = Node::Kind::IsNull;
  isNull.column = by("n");
  m.having = {all, more, either, notX, isNull};
  Merged r = merge(m, {stringColumn("g"), intColumn("n")},
                   {{row({"a", "1"}), row({"b", "3"}), row({"x", "5"})},
                    {row({"a", "1"}), row({"c", "1"}), row({"X", "1"})}});
  // a: 1+1 = 2 kept; b: 3 kept; c: 1 dropped; x/X (ci): 6 but g = 'x' dropped.
  EXPECT_EQ(r.rows, "a,2|b,3");
  // NULL compared is unknown: dropped; NOT of unknown is unknown: dropped too.
  MergeSpec nulls;
  groupBy(nulls, {by("g")});
  nulls.aggregates = {agg(Kind::Max, "m")};
  Node gt;
  gt.kind = Node::Kind::Compare;
  gt.op = CompareOp::Gt;
  gt.column = by("m");
  gt.constants = {"0"};
  Node notGt;
  notGt.kind = Node::Kind::Not;
  notGt.children = {1};
  nulls.having = {notGt, gt};
  EXPECT_EQ(merge(nulls, {stringColumn("g"), intColumn("m")},
                  {{row({"a", nullptr}), row({"b", "5"})}, {row({"c", "-1"})}})
                .rows,
            "c,-1");
}

TEST(MergePlan, UnknownLabelIsAnError) {
  MergeSpec m;
  m.orderBy = {by("nope")};
  EXPECT_EQ(merge(m, {intColumn("id")}, {{}}).rows,
            "plan error 1105 HY000: merge: no column 'nope' in the shards' results");
  MergeSpec a;
  a.aggregates = {agg(Kind::Count, "COUNT(*)")};
  EXPECT_EQ(merge(a, {intColumn("id")}, {{}}).rows.substr(0, 15), "plan error 1105");
  MergeSpec d;
  d.derivedLabels = {"ORDER_BY_DERIVED_0"};
  EXPECT_EQ(merge(d, {intColumn("id")}, {{}}).rows.substr(0, 15), "plan error 1105");
  MergeSpec avgMissing;
  avgMissing.aggregates = {avg("AVG(x)", 0)};
  EXPECT_EQ(merge(avgMissing, {intColumn("AVG(x)")}, {{}}).rows.substr(0, 15), "plan error 1105");
}

TEST(MergePlan, RepeatedAggregateLabelsEachMerge) {
  // SELECT COUNT(*), COUNT(*), id FROM t: the backends name both columns COUNT(*).
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "COUNT(*)"), agg(Kind::Count, "count(*)")};
  Merged r = merge(m, {intColumn("COUNT(*)"), intColumn("COUNT(*)"), intColumn("id")},
                   {{row({"2", "2", "7"})}, {row({"3", "3", "8"})}});
  EXPECT_EQ(r.rows, "5,5,7");
}

TEST(MergePlan, LabelsDifferingInSpacingResolve) {
  MergeSpec m;
  m.orderBy = {by("count( * )")};
  Merged r = merge(m, {intColumn("COUNT(*)")}, {{row({"2"})}, {row({"1"})}});
  EXPECT_EQ(r.rows, "1|2");
}

TEST(MergePlan, LabelsDifferingInCommentsResolve) {
  // A server names `/* c */ SUM(x)` with its comment; the rewriter labels the aggregate SUM(x).
  MergeSpec m;
  m.aggregates = {agg(Kind::Sum, "SUM(x)")};
  Merged r = merge(m, {intColumn("/* c */ SUM(x /*y*/ )")}, {{row({"2"})}, {row({"1"})}});
  EXPECT_EQ(r.rows, "3");
  // A comment marker inside a quoted string is text, not a comment.
  m.aggregates = {agg(Kind::Sum, "SUM('/*')")};
  EXPECT_EQ(merge(m, {intColumn("SUM('/*')")}, {{row({"2"})}}).rows, "2");
  EXPECT_EQ(merge(m, {intColumn("SUM('')")}, {{row({"2"})}}).rows.substr(0, 15), "plan error 1105");
}

TEST(MergePlan, PositionOutOfRangeIsAnError) {
  MergeSpec m;
  m.orderBy = {byPosition(3)};
  EXPECT_EQ(merge(m, {intColumn("a"), intColumn("b")}, {{}}).rows.substr(0, 15), "plan error 1105");
  m.orderBy = {byPosition(2)};
  m.derivedLabels = {"ORDER_BY_DERIVED_0"};
  // Position 2 is a derived column, not the client's.
  EXPECT_EQ(merge(m, {intColumn("a"), intColumn("ORDER_BY_DERIVED_0")}, {{}}).rows.substr(0, 15),
            "plan error 1105");
}

TEST(MergePlan, UnmergeableAggregatesAreRefused) {
  // STD and the like cannot be named in a spec: the rewriter refuses them (golden cases).
  MergeSpec m;
  m.aggregates = {agg(Kind::Count, "STD(x)")};
  m.unsupported = "STD over several shards";
  EXPECT_EQ(merge(m, {doubleColumn("STD(x)")}, {{}}).rows,
            "plan error 1235 42000: unsupported: STD over several shards");
  EXPECT_EQ(describeMerge(m), "unsupported: STD over several shards");
  // A DISTINCT aggregate without its argument columns cannot be merged.
  m.unsupported.clear();
  m.aggregates = {distinctAgg(Kind::GroupConcat, "g", {})};
  EXPECT_EQ(merge(m, {stringColumn("g")}, {{}}).rows.substr(0, 15), "plan error 1105");
}

TEST(MergePlan, NonNumericSumIsAnErrorNotACrash) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Sum, "s")};
  EXPECT_EQ(merge(m, {decimalColumn("s", 0)}, {{row({"1"})}, {row({"x"})}}).rows.substr(0, 10),
            "error 1105");
}

TEST(MergePlan, UnitErrorReachesTheClient) {
  MergeSpec m;
  m.orderBy = {by("id")};
  std::vector<std::unique_ptr<RowStream>> in;
  in.push_back(unit({row({"1"})}));
  auto failing = std::make_unique<FakeStream>(std::vector<Row>{row({"2"})});
  failing->failAfter(0);
  in.push_back(std::move(failing));
  auto plan = buildMergePlan(m, {intColumn("id")}, std::move(in), {});
  ASSERT_TRUE(plan);
  EXPECT_EQ(drainText(*plan->rows), "error 2013: Lost connection to MySQL server");
}

// ---- the plan, const and described
// ---------------------------------------------------------------

TEST(PlannedMerge, DescribesItsPrimitivesTopFirst) {
  // SELECT a, b FROM t ORDER BY b DESC, c LIMIT 1, 10 (c not selected: derived).
  MergeSpec sorted;
  sorted.orderBy = {byPosition(2, true), by("ORDER_BY_DERIVED_0")};
  sorted.derivedLabels = {"ORDER_BY_DERIVED_0"};
  sorted.offset = 1;
  sorted.count = 10;
  auto plan =
      PlannedMerge::plan(sorted, {intColumn("a"), intColumn("b"), intColumn("ORDER_BY_DERIVED_0")});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->describe(),
            "Project(drop=[ORDER_BY_DERIVED_0]) <- Limit(offset=1,count=10) <- "
            "MergeSort(order=[#2 DESC, ORDER_BY_DERIVED_0]) <- units");
  EXPECT_EQ(plan->visibleColumns(), 2u);
  EXPECT_EQ(plan->steps(),
            (std::vector<MergeStep>{MergeStep::MergeSort, MergeStep::Limit, MergeStep::Project}));

  // SELECT g, AVG(x) AS a FROM t GROUP BY g HAVING a > 1 ORDER BY a DESC.
  MergeSpec grouped;
  grouped.groupBy = {by("g")};
  grouped.orderBy = {by("a", true)};
  grouped.groupByEqualsOrderBy = false;
  grouped.aggregates = {avg("a", 0)};
  grouped.derivedLabels = {"AVG_DERIVED_COUNT_0", "AVG_DERIVED_SUM_0"};
  MergeSpec::HavingNode more;
  more.op = CompareOp::Gt;
  more.column = by("a");
  more.constants = {"1"};
  grouped.having = {more};
  EXPECT_EQ(describeMerge(grouped),
            "Project(drop=[AVG_DERIVED_COUNT_0, AVG_DERIVED_SUM_0]) <- Having(a > '1') <- "
            "MemoryGroupBy(group=[g], order=[a DESC], aggregates=[AVG a (AVG_DERIVED_COUNT_0, "
            "AVG_DERIVED_SUM_0)]) <- Concat <- units");
}

TEST(PlannedMerge, OpensAnyNumberOfRuns) {
  MergeSpec m;
  m.aggregates = {agg(Kind::Sum, "s")};
  auto plan = PlannedMerge::plan(m, {intColumn("s")});
  ASSERT_TRUE(plan);
  for (int run = 0; run < 2; ++run) {
    auto rows = plan->open(units({{row({"1"})}, {row({"2"})}}), {});
    ASSERT_TRUE(rows);
    EXPECT_EQ(drainText(**rows), "3");
  }
  std::vector<std::unique_ptr<RowStream>> missing(1);
  EXPECT_FALSE(plan->open(std::move(missing), {}));
}

}  // namespace
}  // namespace shardproxy::merger
