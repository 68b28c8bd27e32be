// MySQL's ordering of column values: NULLs, numbers, temporals, strings by collation.
#include "merger/compare.h"

#include <gtest/gtest.h>

#include "merger_test_util.h"

namespace shardproxy::merger {
namespace {

using namespace testing;

int cmp(const ColumnInfo& c, const char* a, const char* b) {
  Cell x = a ? Cell{false, a} : Cell{};
  Cell y = b ? Cell{false, b} : Cell{};
  return ColumnComparator(c).compare(x, y);
}

TEST(Compare, NullIsSmallestAndEqualsNull) {
  for (const ColumnInfo& c : {intColumn("a"), stringColumn("s"), doubleColumn("d")}) {
    EXPECT_LT(cmp(c, nullptr, "0"), 0);
    EXPECT_LT(cmp(c, nullptr, "-5"), 0);
    EXPECT_GT(cmp(c, "", nullptr), 0);
    EXPECT_EQ(cmp(c, nullptr, nullptr), 0);
  }
}

TEST(Compare, IntegersNumericallyNotAsText) {
  ColumnInfo c = intColumn("a");
  EXPECT_LT(cmp(c, "9", "10"), 0);
  EXPECT_LT(cmp(c, "-10", "-9"), 0);
  EXPECT_LT(cmp(c, "-1", "0"), 0);
  EXPECT_EQ(cmp(c, "42", "42"), 0);
  ColumnInfo big = intColumn("u");
  big.isUnsigned = true;
  EXPECT_GT(cmp(big, "18446744073709551615", "9223372036854775807"), 0);
  // Text ordering would put "10" first.
  EXPECT_GT(cmp(stringColumn("s"), "9", "10"), 0);
}

TEST(Compare, DecimalsExactly) {
  ColumnInfo c = decimalColumn("m", 2);
  EXPECT_GT(cmp(c, "10.5", "9.75"), 0);
  EXPECT_LT(cmp(c, "-10.5", "-9.75"), 0);
  EXPECT_EQ(cmp(c, "1.50", "1.5"), 0);
  EXPECT_GT(cmp(c, "12345678901234567890123.01", "12345678901234567890123.009"), 0);
  EXPECT_LT(cmp(c, "-99999999999999999999", "1"), 0);
}

TEST(Compare, Doubles) {
  ColumnInfo c = doubleColumn("d");
  EXPECT_LT(cmp(c, "9.5", "10"), 0);
  EXPECT_LT(cmp(c, "-1e20", "-1e19"), 0);
  EXPECT_GT(cmp(c, "1.5e-3", "0.001"), 0);
}

TEST(Compare, Temporals) {
  ColumnInfo date = column("d", 10);
  EXPECT_LT(cmp(date, "2023-12-31", "2024-01-01"), 0);
  ColumnInfo dt = column("dt", 12);
  EXPECT_LT(cmp(dt, "2024-01-01 09:00:00", "2024-01-01 10:00:00"), 0);
  EXPECT_LT(cmp(dt, "2024-01-01 10:00:00", "2024-01-01 10:00:00.5"), 0);
  ColumnInfo time = column("t", 11);
  EXPECT_LT(cmp(time, "-01:00:00", "00:00:00"), 0);
  EXPECT_LT(cmp(time, "-10:00:00", "-02:00:00"), 0);  // text order would say otherwise
  EXPECT_GT(cmp(time, "100:00:00", "99:59:59"), 0);   // 3-digit hours
  EXPECT_LT(cmp(time, "-00:00:01", "00:00:00"), 0);
  EXPECT_LT(cmp(time, "-00:00:00.5", "00:00:00"), 0);
  EXPECT_EQ(cmp(time, "838:59:59", "838:59:59.000"), 0);
  ColumnInfo year = column("y", 13);
  EXPECT_LT(cmp(year, "1999", "2000"), 0);
}

TEST(Compare, CaseInsensitiveCollation) {
  ColumnInfo c = stringColumn("s");  // utf8mb4_general_ci
  EXPECT_EQ(cmp(c, "abc", "ABC"), 0);
  EXPECT_LT(cmp(c, "apple", "Banana"), 0);
  EXPECT_EQ(cmp(c, "abc", "abc  "), 0);  // PAD SPACE
  EXPECT_GT(cmp(c, "abc", "abc\t"), 0);  // the shorter one compares as spaces: ' ' > '\t'
  EXPECT_EQ(cmp(c, "Ärger", "arger"), 0);
  EXPECT_EQ(cmp(c, "café", "CAFE"), 0);
  EXPECT_EQ(cmp(c, "straße", "STRASE"), 0);
  EXPECT_EQ(cmp(c, "ΑΒΓ", "αβγ"), 0);
  EXPECT_EQ(cmp(c, "ПРИВЕТ", "привет"), 0);
  EXPECT_LT(cmp(c, "a", "_"), 0);  // letters weigh as upper case in general_ci
  // NO PAD collation (utf8mb4_0900_ai_ci): trailing spaces count.
  ColumnInfo noPad = stringColumn("s", 255);
  EXPECT_LT(cmp(noPad, "abc", "abc "), 0);
  EXPECT_EQ(cmp(noPad, "abc", "ABC"), 0);
  // Invalid UTF-8 never crashes and still orders.
  EXPECT_NE(cmp(c, "\xff", "\xfe"), 0);
  EXPECT_NE(cmp(c, "a\xc3", "a"), 0);
}

TEST(Compare, BinaryCollations) {
  ColumnInfo bin = stringColumn("s", 46);  // utf8mb4_bin: bytes, PAD SPACE
  EXPECT_LT(cmp(bin, "ABC", "abc"), 0);
  EXPECT_EQ(cmp(bin, "abc", "abc "), 0);
  ColumnInfo bytes = stringColumn("b", 63);  // VARBINARY: bytes, no padding
  EXPECT_LT(cmp(bytes, "abc", "abc "), 0);
  EXPECT_LT(cmp(bytes, "\x01", "\xff"), 0);  // unsigned bytes
}

TEST(Compare, RowsOnSeveralKeys) {
  RowComparator c({SortKey{1, true, ColumnComparator(intColumn("b"))},
                   SortKey{0, false, ColumnComparator(stringColumn("a"))}});
  EXPECT_LT(c.compare(row({"x", "2"}), row({"a", "1"})), 0);  // b DESC first
  EXPECT_LT(c.compare(row({"a", "1"}), row({"B", "1"})), 0);
  EXPECT_EQ(c.compare(row({"a", "1"}), row({"A", "1"})), 0);
  EXPECT_GT(c.compare(row({"a", nullptr}), row({"a", "1"})), 0);  // NULL last descending
}

}  // namespace
}  // namespace shardproxy::merger
