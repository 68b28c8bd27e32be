// INLINE, COMPLEX_INLINE, HINT_INLINE.
#include <gtest/gtest.h>

#include "router/algorithm.h"
#include "router/algorithm_test_util.h"

namespace shardproxy::router {
namespace {

using namespace testing;  // NOLINT

const std::vector<std::string> kTables = {"t_order_0", "t_order_1"};

TEST(InlineAlgorithmTest, PreciseEvaluatesTheExpressionWithTheColumn) {
  auto a = make("INLINE", {{"algorithm-expression", "t_order_${order_id % 2}"}});
  EXPECT_EQ(a->kind(), ShardingAlgorithm::Kind::Standard);
  EXPECT_EQ(precise(*a, kTables, num(10)), "t_order_0");
  EXPECT_EQ(precise(*a, kTables, num(7)), "t_order_1");
  auto b = make("INLINE", {{"algorithm-expression", " t_order_$->{order_id % 2} "}});
  EXPECT_EQ(precise(*b, kTables, num(7)), "t_order_1");
  auto c = make("INLINE", {{"algorithm-expression", "T_ORDER_${order_id % 2}"}});
  EXPECT_EQ(precise(*c, kTables, num(7)), "t_order_1");  // the target's spelling
}

TEST(InlineAlgorithmTest, PreciseErrors) {
  auto a = make("INLINE", {{"algorithm-expression", "t_order_${order_id % 2}"}});
  // Java's % keeps the dividend's sign: t_order_-1 is no table.
  std::string negative = precise(*a, kTables, num(-7));
  EXPECT_NE(negative.find("Routed target `t_order_-1` does not exist, available targets are "
                          "`[t_order_0, t_order_1]`."),
            std::string::npos)
      << negative;
  EXPECT_EQ(precise(*a, kTables, Value::null()),
            "ERROR: INLINE: sharding value can't be null in SQL statement");
  // The expression reads another column.
  auto b = make("INLINE", {{"algorithm-expression", "t_order_${user_id % 2}"}});
  std::string mismatch = precise(*b, kTables, num(1));
  EXPECT_NE(mismatch.find("ERROR: INLINE: Inline sharding algorithms expression "
                          "`t_order_${user_id % 2}` and sharding column `order_id` do not match"),
            std::string::npos)
      << mismatch;
}

TEST(InlineAlgorithmTest, RangeNeedsTheAllowProperty) {
  auto a = make("INLINE", {{"algorithm-expression", "t_order_${order_id % 2}"}});
  EXPECT_EQ(range(*a, kTables, between(num(1), num(2))),
            "ERROR: INLINE: Since the property of `allow-range-query-with-inline-sharding` is "
            "false, inline sharding algorithm can not tackle with range query");
  auto b = make("INLINE", {{"algorithm-expression", "t_order_${order_id % 2}"},
                           {"allow-range-query-with-inline-sharding", "true"}});
  EXPECT_EQ(range(*b, kTables, between(num(1), num(2))), "t_order_0,t_order_1");
}

TEST(InlineAlgorithmTest, Props) {
  EXPECT_NE(createError("INLINE", {}).find("INLINE: algorithm-expression is required"),
            std::string::npos);
  EXPECT_NE(createError("INLINE", {{"algorithm-expression", "  "}})
                .find("INLINE: algorithm-expression is required"),
            std::string::npos);
  EXPECT_NE(createError("INLINE", {{"algorithm-expression", "t_${order_id %}"}})
                .find("INLINE: algorithm-expression 't_${order_id %}': "),
            std::string::npos);
  EXPECT_EQ(createError("INLINE", {{"algorithm-expression", "t_${order_id % 2}"},
                                   {"allow-range-query-with-inline-sharding", "1"}}),
            "INLINE: allow-range-query-with-inline-sharding must be true or false, got '1'");
}

// --- COMPLEX_INLINE ------------------------------------------------------------------------

ComplexShardingValue complexValues(std::map<std::string, std::vector<Value>> values) {
  ComplexShardingValue v;
  v.logicTable = "t_order";
  v.values = std::move(values);
  return v;
}

std::string complex(const ShardingAlgorithm& a, const std::vector<std::string>& targets,
                    const ComplexShardingValue& v) {
  auto r = a.shardComplex(targets, v);
  return r.isOk() ? join(r.value()) : "ERROR: " + r.status().message();
}

TEST(ComplexInlineAlgorithmTest, CartesianProductOfTheValues) {
  auto a =
      make("COMPLEX_INLINE", {{"sharding-columns", "user_id, order_id"},
                              {"algorithm-expression", "t_order_${user_id % 2}_${order_id % 2}"}});
  EXPECT_EQ(a->kind(), ShardingAlgorithm::Kind::Complex);
  std::vector<std::string> t = {"t_order_0_0", "t_order_0_1", "t_order_1_0", "t_order_1_1"};
  EXPECT_EQ(complex(*a, t, complexValues({{"user_id", {num(1)}}, {"order_id", {num(2)}}})),
            "t_order_1_0");
  EXPECT_EQ(complex(*a, t,
                    complexValues({{"user_id", {num(1), num(2)}}, {"order_id", {num(3), num(5)}}})),
            "t_order_0_1,t_order_1_1");
  EXPECT_EQ(complex(*a, t,
                    complexValues({{"user_id", {num(1), num(2)}}, {"order_id", {num(3), num(4)}}})),
            "t_order_0_0,t_order_0_1,t_order_1_0,t_order_1_1");
}

TEST(ComplexInlineAlgorithmTest, Errors) {
  auto a =
      make("COMPLEX_INLINE", {{"sharding-columns", "user_id,order_id"},
                              {"algorithm-expression", "t_order_${user_id % 2}_${order_id % 2}"}});
  std::vector<std::string> t = {"t_order_0_0", "t_order_0_1", "t_order_1_0", "t_order_1_1"};
  EXPECT_EQ(complex(*a, t, complexValues({{"user_id", {num(1)}}})),
            "ERROR: COMPLEX_INLINE: Complex inline algorithm need 2 sharding columns, but only "
            "found 1");
  EXPECT_EQ(complex(*a, t, complexValues({{"user_id", {num(1)}}, {"order_id", {Value::null()}}})),
            "ERROR: COMPLEX_INLINE: sharding value can't be null in SQL statement");
  ComplexShardingValue withRange = complexValues({{"user_id", {num(1)}}});
  withRange.ranges["order_id"] = between(num(1), num(5));
  EXPECT_EQ(complex(*a, t, withRange),
            "ERROR: COMPLEX_INLINE: Since the property of `allow-range-query-with-inline-sharding` "
            "is false, inline sharding algorithm can not tackle with range query");
  auto b =
      make("COMPLEX_INLINE", {{"algorithm-expression", "t_order_${user_id % 2}_${order_id % 2}"},
                              {"allow-range-query-with-inline-sharding", "true"}});
  EXPECT_EQ(complex(*b, t, withRange), "t_order_0_0,t_order_0_1,t_order_1_0,t_order_1_1");
  // Without sharding-columns, any number of columns is taken; a missing variable fails.
  std::string missing = complex(*b, t, complexValues({{"user_id", {num(1)}}}));
  EXPECT_EQ(missing.rfind("ERROR: COMPLEX_INLINE: algorithm-expression", 0), 0u) << missing;
  EXPECT_NE(createError("COMPLEX_INLINE",
                        {{"sharding-columns", "a,,b"}, {"algorithm-expression", "t_${a}"}})
                .find("sharding-columns must be comma-separated column names"),
            std::string::npos);
}

// --- HINT_INLINE ---------------------------------------------------------------------------

std::string hint(const ShardingAlgorithm& a, const std::vector<std::string>& targets,
                 std::vector<Value> values) {
  auto r = a.shardHint(targets, HintShardingValue{"t_order", "", std::move(values)});
  return r.isOk() ? join(r.value()) : "ERROR: " + r.status().message();
}

TEST(HintInlineAlgorithmTest, DefaultExpressionIsTheValue) {
  auto a = make("HINT_INLINE", {});
  EXPECT_EQ(a->kind(), ShardingAlgorithm::Kind::Hint);
  EXPECT_EQ(hint(*a, {"ds_0", "ds_1"}, {str("ds_1")}), "ds_1");
  EXPECT_EQ(hint(*a, {"ds_0", "ds_1"}, {}), "ds_0,ds_1");  // no hint value: every target
  EXPECT_EQ(hint(*a, {"ds_0", "ds_1"}, {Value::null()}),
            "ERROR: HINT_INLINE: sharding value can't be null in SQL statement");
}

TEST(HintInlineAlgorithmTest, ExpressionOverValue) {
  auto a = make("HINT_INLINE", {{"algorithm-expression", "ds_${value % 2}"}});
  EXPECT_EQ(hint(*a, {"ds_0", "ds_1"}, {num(3)}), "ds_1");
  EXPECT_EQ(hint(*a, {"ds_0", "ds_1"}, {num(3), num(4), num(5)}), "ds_0,ds_1");
  std::string bad = hint(*a, {"ds_0", "ds_1"}, {num(-3)});
  EXPECT_NE(bad.find("Routed target `ds_-1` does not exist, available targets are `[ds_0, ds_1]`."),
            std::string::npos)
      << bad;
  EXPECT_EQ(createError("HINT_INLINE", {{"algorithm-expression", ""}}),
            "HINT_INLINE: algorithm-expression must not be empty (default ${value})");
}

}  // namespace
}  // namespace shardproxy::router
