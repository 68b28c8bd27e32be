// Factory, CLASS_BASED, and the auto-table algorithms: MOD, HASH_MOD, VOLUME_RANGE,
// BOUNDARY_RANGE, AUTO_INTERVAL. Expected answers follow ShardingSphere 5.4/5.5.
#include "router/algorithm.h"

#include <gtest/gtest.h>

#include "router/algorithm_test_util.h"

namespace shardproxy::router {
namespace {

using namespace testing;  // NOLINT

const DataNodeInfo kInfo{"t_order_", 1, '0'};

// --- factory -------------------------------------------------------------------------------

TEST(AlgorithmFactoryTest, TypeIsCaseInsensitive) {
  auto a = make("mod", {{"sharding-count", "2"}});
  ASSERT_NE(a, nullptr);
  EXPECT_STREQ(a->type(), "MOD");
  EXPECT_EQ(a->kind(), ShardingAlgorithm::Kind::Standard);
}

TEST(AlgorithmFactoryTest, UnknownTypeListsSupportedTypes) {
  std::string e = createError("FOO", {});
  EXPECT_NE(e.find("unknown sharding algorithm type 'FOO'"), std::string::npos) << e;
  for (const char* t : {"MOD", "HASH_MOD", "VOLUME_RANGE", "BOUNDARY_RANGE", "AUTO_INTERVAL",
                        "INTERVAL", "INLINE", "COMPLEX_INLINE", "HINT_INLINE"}) {
    EXPECT_NE(e.find(t), std::string::npos) << t;
  }
}

TEST(AlgorithmFactoryTest, ClassBasedIsRefusedWithTheBuiltInToUse) {
  std::string e = createError(
      "CLASS_BASED", {{"strategy", "STANDARD"}, {"algorithmClassName", "com.example.MyAlgorithm"}});
  EXPECT_NE(e.find("CLASS_BASED"), std::string::npos) << e;
  EXPECT_NE(e.find("com.example.MyAlgorithm"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot run in shardproxy"), std::string::npos) << e;
  EXPECT_NE(e.find("INLINE"), std::string::npos) << e;
  e = createError("class_based", {{"strategy", "complex"}});
  EXPECT_NE(e.find("COMPLEX_INLINE"), std::string::npos) << e;
  e = createError("CLASS_BASED", {{"strategy", "HINT"}});
  EXPECT_NE(e.find("HINT_INLINE"), std::string::npos) << e;
}

TEST(AlgorithmFactoryTest, WrongEntryPointIsAnErrorNotACrash) {
  auto a = make("MOD", {{"sharding-count", "2"}});
  auto r = a->shardHint({"a"}, HintShardingValue{"t", "c", {num(1)}});
  EXPECT_FALSE(r.isOk());
  auto c = a->shardComplex({"a"}, ComplexShardingValue{});
  EXPECT_FALSE(c.isOk());
}

// --- MOD -----------------------------------------------------------------------------------

TEST(ModAlgorithmTest, PropsAreCheckedStrictly) {
  EXPECT_EQ(createError("MOD", {}), "MOD: sharding-count is required (a positive integer)");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "x"}}),
            "MOD: sharding-count must be a positive integer, got 'x'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "0"}}),
            "MOD: sharding-count must be a positive integer, got '0'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "-3"}}),
            "MOD: sharding-count must be a positive integer, got '-3'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "4 "}}),
            "MOD: sharding-count must be a positive integer, got '4 '");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "2147483648"}}),
            "MOD: sharding-count must be a positive integer, got '2147483648'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "4"}, {"start-offset", "-1"}}),
            "MOD: start-offset must be a non-negative integer, got '-1'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "4"}, {"zero-padding", "yes"}}),
            "MOD: zero-padding must be true or false, got 'yes'");
  EXPECT_EQ(createError("MOD", {{"sharding-count", "+4"}}), "OK");  // Integer.parseInt takes '+'
}

TEST(ModAlgorithmTest, AutoTablesAmountIsShardingCount) {
  EXPECT_EQ(make("MOD", {{"sharding-count", "16"}})->autoTablesAmount(), 16);
}

TEST(ModAlgorithmTest, PreciseIsBigIntegerMod) {
  auto a = make("MOD", {{"sharding-count", "4"}});
  auto t = names("t_order_", 4);
  EXPECT_EQ(precise(*a, t, num(0), kInfo), "t_order_0");
  EXPECT_EQ(precise(*a, t, num(10), kInfo), "t_order_2");
  EXPECT_EQ(precise(*a, t, num(-1), kInfo), "t_order_3");  // mod, not remainder
  EXPECT_EQ(precise(*a, t, num(-4), kInfo), "t_order_0");
  EXPECT_EQ(precise(*a, t, Value::ofLong(INT64_MAX), kInfo), "t_order_3");
  EXPECT_EQ(precise(*a, t, Value::ofLong(INT64_MIN), kInfo), "t_order_0");
  EXPECT_EQ(precise(*a, t, str("13"), kInfo), "t_order_1");
  EXPECT_EQ(precise(*a, t, str("-13"), kInfo), "t_order_3");
  EXPECT_EQ(precise(*a, t, str("123456789012345678901234567891"), kInfo), "t_order_3");
  // Number.longValue(): the fraction is dropped.
  EXPECT_EQ(precise(*a, t, dec("7.9"), kInfo), "t_order_3");
  EXPECT_EQ(precise(*a, t, dec("-7.9"), kInfo), "t_order_1");
  EXPECT_EQ(precise(*a, t, dec("1E+3"), kInfo), "t_order_0");
}

TEST(ModAlgorithmTest, PreciseErrors) {
  auto a = make("MOD", {{"sharding-count", "4"}});
  auto t = names("t_order_", 4);
  EXPECT_EQ(precise(*a, t, Value::null(), kInfo),
            "ERROR: MOD: sharding value can't be null in SQL statement");
  EXPECT_EQ(precise(*a, t, str("abc"), kInfo),
            "ERROR: MOD: sharding value 'abc' is not an integer");
  EXPECT_EQ(precise(*a, t, str("1.5"), kInfo),
            "ERROR: MOD: sharding value '1.5' is not an integer");
  // The suffix's table is missing from the targets.
  EXPECT_EQ(precise(*a, {"t_order_0", "t_order_1"}, num(3), kInfo),
            "ERROR: MOD: the value routes to 't_order_3', which is not a data node");
}

TEST(ModAlgorithmTest, TargetNameUsesDataNodePadding) {
  auto a = make("MOD", {{"sharding-count", "16"}});
  auto t = names("t_order_", 16, 2);  // t_order_00 .. t_order_15
  EXPECT_EQ(precise(*a, t, num(5), DataNodeInfo{"t_order_", 2, '0'}), "t_order_05");
  EXPECT_EQ(precise(*a, t, num(21), DataNodeInfo{"t_order_", 2, '0'}), "t_order_05");
  EXPECT_EQ(precise(*a, t, num(15), DataNodeInfo{"t_order_", 2, '0'}), "t_order_15");
  // Target comparison ignores ASCII case and returns the target's spelling.
  EXPECT_EQ(precise(*a, {"T_ORDER_5"}, num(5), kInfo), "T_ORDER_5");
}

TEST(ModAlgorithmTest, ZeroPaddingPadsToTheDigitsOfCountMinusOne) {
  auto a = make("MOD", {{"sharding-count", "16"}, {"zero-padding", "true"}});
  // The suffix is "05" even when the data node info asks for no padding.
  EXPECT_EQ(precise(*a, {"t_5", "t_05"}, num(5), DataNodeInfo{"t_", 1, '0'}), "t_05");
  auto b = make("MOD", {{"sharding-count", "10"}, {"zero-padding", "TRUE"}});
  EXPECT_EQ(precise(*b, {"t_5", "t_05"}, num(5), DataNodeInfo{"t_", 1, '0'}), "t_5");
  auto c = make("MOD", {{"sharding-count", "101"}, {"zero-padding", "true"}});
  EXPECT_EQ(precise(*c, {"t_007"}, num(7), DataNodeInfo{"t_", 1, '0'}), "t_007");
}

TEST(ModAlgorithmTest, OffsetsCutTheValuesText) {
  auto a = make("MOD", {{"sharding-count", "10"}, {"start-offset", "2"}, {"stop-offset", "1"}});
  auto t = names("t_", 10);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, t, str("AB1234X"), info), "t_4");
  EXPECT_EQ(precise(*a, t, num(987654), info), "t_5");   // "765" of "987654"
  EXPECT_EQ(precise(*a, t, str("AB-7X"), info), "t_3");  // BigInteger("-7").mod(10)
  EXPECT_EQ(precise(*a, t, str("ABC"), info),
            "ERROR: MOD: sharding value 'ABC' is too short for start-offset 2 and stop-offset 1");
  EXPECT_EQ(precise(*a, t, str("ABXYZ"), info),
            "ERROR: MOD: the digits 'XY' of sharding value 'ABXYZ' are not an integer");
  // Offsets count UTF-16 code units, as Java's substring does.
  EXPECT_EQ(precise(*a, t,
                    str("\xC3\xA9\xC3\xA9"
                        "42"
                        "x"),
                    info),
            "t_2");
  auto b = make("MOD", {{"sharding-count", "4"}, {"start-offset", "3"}});
  EXPECT_EQ(precise(*b, names("t_", 4), str("ORD1001"), info), "t_1");
}

TEST(ModAlgorithmTest, RangeReachesExactlyTheRemainders) {
  auto a = make("MOD", {{"sharding-count", "4"}});
  auto t = names("t_order_", 4);
  EXPECT_EQ(range(*a, t, between(num(5), num(6)), kInfo), "t_order_1,t_order_2");
  EXPECT_EQ(range(*a, t, between(num(5), num(7), false, false), kInfo), "t_order_2");
  EXPECT_EQ(range(*a, t, between(num(5), num(5)), kInfo), "t_order_1");
  EXPECT_EQ(range(*a, t, between(num(5), num(5), false, true), kInfo), "");
  EXPECT_EQ(range(*a, t, between(num(7), num(5)), kInfo), "");
  EXPECT_EQ(range(*a, t, between(num(-2), num(-1)), kInfo), "t_order_2,t_order_3");
  EXPECT_EQ(range(*a, t, between(num(1), num(4)), kInfo),
            "t_order_0,t_order_1,t_order_2,t_order_3");
  EXPECT_EQ(range(*a, t, between(num(3), num(4)), kInfo), "t_order_0,t_order_3");
  EXPECT_EQ(range(*a, t, between(num(1), num(1000000)), kInfo),
            "t_order_0,t_order_1,t_order_2,t_order_3");
  // Open-ended: every target.
  EXPECT_EQ(range(*a, t, between(num(5), std::nullopt), kInfo),
            "t_order_0,t_order_1,t_order_2,t_order_3");
  EXPECT_EQ(range(*a, t, between(std::nullopt, num(5)), kInfo),
            "t_order_0,t_order_1,t_order_2,t_order_3");
  // Decimal bounds round inward, strings holding integers are integers.
  EXPECT_EQ(range(*a, t, between(dec("1.5"), dec("2.5")), kInfo), "t_order_2");
  EXPECT_EQ(range(*a, t, between(dec("-2.5"), dec("-1.5")), kInfo), "t_order_2");
  EXPECT_EQ(range(*a, t, between(dec("2.0"), dec("2.0"), false, true), kInfo), "");
  EXPECT_EQ(range(*a, t, between(str("9"), str("10")), kInfo), "t_order_1,t_order_2");
  EXPECT_EQ(range(*a, t, between(str("x"), str("10")), kInfo),
            "ERROR: MOD: range bound 'x' is not an integer");
  // Near the ends of the longs.
  EXPECT_EQ(range(*a, t, between(Value::ofLong(INT64_MAX), Value::ofLong(INT64_MAX)), kInfo),
            "t_order_3");
  EXPECT_EQ(range(*a, t, between(Value::ofLong(INT64_MAX), std::nullopt, false, true), kInfo), "");
}

TEST(ModAlgorithmTest, RangeWithOffsetsReachesEveryTarget) {
  auto a = make("MOD", {{"sharding-count", "4"}, {"start-offset", "1"}});
  auto t = names("t_", 4);
  EXPECT_EQ(range(*a, t, between(num(10), num(11))), "t_0,t_1,t_2,t_3");
}

// --- HASH_MOD ------------------------------------------------------------------------------

TEST(HashModAlgorithmTest, PreciseIsAbsOfJavaHashCodeMod) {
  auto a = make("HASH_MOD", {{"sharding-count", "5"}});
  EXPECT_EQ(a->autoTablesAmount(), 5);
  auto t = names("t_", 5);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, t, num(7), info), "t_2");
  EXPECT_EQ(precise(*a, t, num(-7), info), "t_2");  // Math.abs of a negative hashCode
  EXPECT_EQ(precise(*a, t, num(0), info), "t_0");
  EXPECT_EQ(precise(*a, t, Value::ofLong(4294967296), info), "t_1");  // Long.hashCode: 1
  EXPECT_EQ(precise(*a, t, str("a"), info), "t_2");                   // 97
  EXPECT_EQ(precise(*a, t, str("zzzzzzzz"), info), "t_2");            // -1910022912
  EXPECT_EQ(precise(*a, t, str("abcdefghij"), info), "t_4");          // -634317659
  // hashCode Integer.MIN_VALUE: Math.abs((long) h) is 2147483648, not negative.
  EXPECT_EQ(precise(*a, t, str("polygenelubricants"), info), "t_3");
  EXPECT_EQ(precise(*a, t, str("\xE6\x97\xA5\xE6\x9C\xAC"), info), "t_2");  // 835047
  EXPECT_EQ(precise(*a, t, Value::null(), info),
            "ERROR: HASH_MOD: sharding value can't be null in SQL statement");
}

TEST(HashModAlgorithmTest, RangeReachesEveryTarget) {
  auto a = make("HASH_MOD", {{"sharding-count", "3"}});
  EXPECT_EQ(range(*a, names("t_", 3), between(num(1), num(1))), "t_0,t_1,t_2");
}

TEST(HashModAlgorithmTest, Props) {
  EXPECT_EQ(createError("HASH_MOD", {{"sharding-count", ""}}),
            "HASH_MOD: sharding-count must be a positive integer, got ''");
  EXPECT_EQ(createError("HASH_MOD", {}),
            "HASH_MOD: sharding-count is required (a positive integer)");
}

// --- VOLUME_RANGE --------------------------------------------------------------------------

// Partitions: 0 (<10), 1 [10,20), 2 [20,30), 3 [30,40), 4 [40,45), 5 (>=45).
std::unique_ptr<ShardingAlgorithm> volume() {
  return make("VOLUME_RANGE",
              {{"range-lower", "10"}, {"range-upper", "45"}, {"sharding-volume", "10"}});
}

TEST(VolumeRangeAlgorithmTest, AutoTablesAmount) {
  EXPECT_EQ(volume()->autoTablesAmount(), 6);
  EXPECT_EQ(make("VOLUME_RANGE",
                 {{"range-lower", "0"}, {"range-upper", "100"}, {"sharding-volume", "10"}})
                ->autoTablesAmount(),
            12);
}

TEST(VolumeRangeAlgorithmTest, Precise) {
  auto a = volume();
  auto t = names("t_", 6);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, t, num(-100), info), "t_0");
  EXPECT_EQ(precise(*a, t, num(9), info), "t_0");
  EXPECT_EQ(precise(*a, t, num(10), info), "t_1");
  EXPECT_EQ(precise(*a, t, num(19), info), "t_1");
  EXPECT_EQ(precise(*a, t, num(20), info), "t_2");
  EXPECT_EQ(precise(*a, t, num(44), info), "t_4");
  EXPECT_EQ(precise(*a, t, num(45), info), "t_5");
  EXPECT_EQ(precise(*a, t, Value::ofLong(INT64_MAX), info), "t_5");
  EXPECT_EQ(precise(*a, t, str("25"), info), "t_2");
  EXPECT_EQ(precise(*a, t, dec("25.5"), info),
            "ERROR: VOLUME_RANGE: sharding value '25.5' is not an integer within the range of a "
            "long");
  EXPECT_EQ(precise(*a, t, str("x"), info),
            "ERROR: VOLUME_RANGE: sharding value 'x' is not an integer within the range of a long");
  EXPECT_EQ(precise(*a, t, Value::null(), info),
            "ERROR: VOLUME_RANGE: sharding value can't be null in SQL statement");
}

TEST(VolumeRangeAlgorithmTest, Range) {
  auto a = volume();
  auto t = names("t_", 6);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(range(*a, t, between(num(15), num(25)), info), "t_1,t_2");
  EXPECT_EQ(range(*a, t, between(num(19), num(20), true, false), info), "t_1");
  EXPECT_EQ(range(*a, t, between(num(19), num(20), false, true), info), "t_2");
  EXPECT_EQ(range(*a, t, between(num(19), num(20), false, false), info), "");
  EXPECT_EQ(range(*a, t, between(num(30), num(20)), info), "");
  EXPECT_EQ(range(*a, t, between(std::nullopt, num(15)), info), "t_0,t_1");
  EXPECT_EQ(range(*a, t, between(num(40), std::nullopt), info), "t_4,t_5");
  EXPECT_EQ(range(*a, t, between(std::nullopt, std::nullopt), info), "t_0,t_1,t_2,t_3,t_4,t_5");
  EXPECT_EQ(range(*a, t, between(dec("19.5"), dec("20.5")), info), "t_2");
  // A missing table is skipped.
  EXPECT_EQ(range(*a, {"t_1", "t_3"}, between(num(0), num(100)), info), "t_1,t_3");
}

TEST(VolumeRangeAlgorithmTest, Props) {
  EXPECT_EQ(createError("VOLUME_RANGE", {{"range-upper", "45"}, {"sharding-volume", "10"}}),
            "VOLUME_RANGE: range-lower is required (a long integer)");
  EXPECT_EQ(createError("VOLUME_RANGE",
                        {{"range-lower", "1"}, {"range-upper", "45"}, {"sharding-volume", "x"}}),
            "VOLUME_RANGE: sharding-volume must be a positive long integer, got 'x'");
  EXPECT_EQ(createError("VOLUME_RANGE",
                        {{"range-lower", "1"}, {"range-upper", "45"}, {"sharding-volume", "0"}}),
            "VOLUME_RANGE: sharding-volume must be a positive long integer, got '0'");
  EXPECT_EQ(createError("VOLUME_RANGE",
                        {{"range-lower", "40"}, {"range-upper", "45"}, {"sharding-volume", "10"}}),
            "VOLUME_RANGE: range-upper - range-lower can not be smaller than sharding-volume");
  EXPECT_NE(createError("VOLUME_RANGE", {{"range-lower", "0"},
                                         {"range-upper", "9000000000000000000"},
                                         {"sharding-volume", "1"}})
                .find("more than"),
            std::string::npos);
}

// --- BOUNDARY_RANGE ------------------------------------------------------------------------

TEST(BoundaryRangeAlgorithmTest, PartitionsBetweenSortedBoundaries) {
  auto a = make("BOUNDARY_RANGE", {{"sharding-ranges", "10, 1 ,5"}});
  EXPECT_EQ(a->autoTablesAmount(), 4);
  auto t = names("t_", 4);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, t, num(0), info), "t_0");
  EXPECT_EQ(precise(*a, t, num(-5), info), "t_0");
  EXPECT_EQ(precise(*a, t, num(1), info), "t_1");
  EXPECT_EQ(precise(*a, t, num(9), info), "t_2");
  EXPECT_EQ(precise(*a, t, num(10), info), "t_3");
  EXPECT_EQ(range(*a, t, between(num(3), num(12)), info), "t_1,t_2,t_3");
  EXPECT_EQ(range(*a, t, between(std::nullopt, num(1), true, false), info), "t_0");
}

TEST(BoundaryRangeAlgorithmTest, DuplicateBoundaryMakesAnEmptyPartition) {
  auto a = make("BOUNDARY_RANGE", {{"sharding-ranges", "5,5"}});
  EXPECT_EQ(a->autoTablesAmount(), 3);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, names("t_", 3), num(5), info), "t_2");
}

TEST(BoundaryRangeAlgorithmTest, Props) {
  EXPECT_EQ(createError("BOUNDARY_RANGE", {}), "BOUNDARY_RANGE: sharding-ranges is required");
  EXPECT_EQ(createError("BOUNDARY_RANGE", {{"sharding-ranges", "1,x,3"}}),
            "BOUNDARY_RANGE: sharding-ranges must be comma-separated long integers, got 'x' in "
            "'1,x,3'");
  EXPECT_EQ(createError("BOUNDARY_RANGE", {{"sharding-ranges", "1,2,"}}),
            "BOUNDARY_RANGE: sharding-ranges must be comma-separated long integers, got '' in "
            "'1,2,'");
}

// --- AUTO_INTERVAL -------------------------------------------------------------------------

// One day per table from 2020-01-01 to 2020-01-04: 3 + 2 = 5 tables.
std::unique_ptr<ShardingAlgorithm> autoInterval() {
  return make("AUTO_INTERVAL", {{"datetime-lower", "2020-01-01 00:00:00"},
                                {"datetime-upper", "2020-01-04 00:00:00"},
                                {"sharding-seconds", "86400"}});
}

TEST(AutoIntervalAlgorithmTest, AutoTablesAmountTruncatesTheQuotient) {
  EXPECT_EQ(autoInterval()->autoTablesAmount(), 5);
  // (366 days) / (365 days) = 1, + 2.
  EXPECT_EQ(make("AUTO_INTERVAL", {{"datetime-lower", "2020-01-01 00:00:00"},
                                   {"datetime-upper", "2021-01-01 00:00:00"},
                                   {"sharding-seconds", "31536000"}})
                ->autoTablesAmount(),
            3);
}

TEST(AutoIntervalAlgorithmTest, PreciseRoundsTheQuotientToHundredthsThenUp) {
  auto a = autoInterval();
  auto t = names("t_", 5);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(precise(*a, t, str("2020-01-01 00:00:00"), info), "t_0");
  EXPECT_EQ(precise(*a, t, str("2020-01-01 00:00:01"), info), "t_0");  // 0.0000116 -> "0.00"
  EXPECT_EQ(precise(*a, t, str("2020-01-01 00:07:11"), info), "t_0");  // 0.00499 -> "0.00"
  EXPECT_EQ(precise(*a, t, str("2020-01-01 00:07:12"), info), "t_1");  // 0.005 (binary above)
  EXPECT_EQ(precise(*a, t, str("2020-01-01 12:00:00"), info), "t_1");
  EXPECT_EQ(precise(*a, t, str("2020-01-02 00:00:00"), info), "t_1");
  EXPECT_EQ(precise(*a, t, str("2020-01-02 00:07:12"), info), "t_1");  // 1.005 is below in binary
  EXPECT_EQ(precise(*a, t, str("2020-01-02 00:07:13"), info), "t_2");
  EXPECT_EQ(precise(*a, t, str("2019-06-01 00:00:00"), info), "t_0");      // before: clamped
  EXPECT_EQ(precise(*a, t, str("2030-01-01 00:00:00"), info), "t_4");      // after: clamped
  EXPECT_EQ(precise(*a, t, str("2020-01-02 12:00:00.999"), info), "t_2");  // fraction ignored
  EXPECT_EQ(precise(*a, t, str("2020-01-03"), info), "t_2");               // extension: midnight
  EXPECT_EQ(precise(*a, t, str("01/02/2020"), info),
            "ERROR: AUTO_INTERVAL: sharding value '01/02/2020' is not a datetime in the format "
            "yyyy-MM-dd HH:mm:ss");
  EXPECT_EQ(precise(*a, t, Value::null(), info),
            "ERROR: AUTO_INTERVAL: sharding value can't be null in SQL statement");
}

TEST(AutoIntervalAlgorithmTest, Range) {
  auto a = autoInterval();
  auto t = names("t_", 5);
  DataNodeInfo info{"t_", 1, '0'};
  EXPECT_EQ(range(*a, t, between(str("2020-01-01 12:00:00"), str("2020-01-02 12:00:00")), info),
            "t_1,t_2");
  EXPECT_EQ(range(*a, t, between(std::nullopt, str("2020-01-02 00:00:00"), true, false), info),
            "t_0,t_1");
  EXPECT_EQ(range(*a, t, between(str("2020-01-03 00:00:01"), std::nullopt), info),
            "t_2,t_3,t_4");  // 2.0000116 -> "2.00" -> 2
  EXPECT_EQ(range(*a, t, between(std::nullopt, std::nullopt), info), "t_0,t_1,t_2,t_3,t_4");
  EXPECT_EQ(range(*a, t, between(str("2020-01-03 00:00:00"), str("2020-01-02 00:00:00")), info),
            "");
  EXPECT_EQ(
      range(*a, t, between(str("2020-01-02 00:00:00"), str("2020-01-02 00:00:01"), false, false),
            info),
      "");
}

TEST(AutoIntervalAlgorithmTest, Props) {
  EXPECT_EQ(createError("AUTO_INTERVAL",
                        {{"datetime-upper", "2020-01-04 00:00:00"}, {"sharding-seconds", "86400"}}),
            "AUTO_INTERVAL: datetime-lower is required");
  EXPECT_EQ(createError("AUTO_INTERVAL", {{"datetime-lower", "2020-01-01"},
                                          {"datetime-upper", "2020-01-04 00:00:00"},
                                          {"sharding-seconds", "86400"}}),
            "AUTO_INTERVAL: datetime-lower must be a datetime in the format yyyy-MM-dd HH:mm:ss, "
            "got '2020-01-01'");
  EXPECT_EQ(createError("AUTO_INTERVAL", {{"datetime-lower", "2020-01-01 00:00:00"},
                                          {"datetime-upper", "2020-01-04 00:00:00"},
                                          {"sharding-seconds", "0"}}),
            "AUTO_INTERVAL: sharding-seconds must be a positive integer, got '0'");
  EXPECT_EQ(createError("AUTO_INTERVAL", {{"datetime-lower", "2020-01-05 00:00:00"},
                                          {"datetime-upper", "2020-01-04 00:00:00"},
                                          {"sharding-seconds", "10"}}),
            "AUTO_INTERVAL: datetime-upper must not be before datetime-lower");
}

}  // namespace
}  // namespace shardproxy::router
