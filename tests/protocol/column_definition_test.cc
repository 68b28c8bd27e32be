// Result set messages: column count, ColumnDefinition41 (plain and COM_FIELD_LIST variant) and
// text rows.
#include "protocol/column_definition.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

struct ColumnCase {
  const char* name;
  std::string bytes;
  ColumnDefinition expected;
};

ColumnDefinition column(std::string schema, std::string table, std::string orgTable,
                        std::string name, std::string orgName, uint16_t collation, uint32_t length,
                        ColumnType type, uint16_t flags, uint8_t decimals) {
  ColumnDefinition c;
  c.schema = std::move(schema);
  c.table = std::move(table);
  c.orgTable = std::move(orgTable);
  c.name = std::move(name);
  c.orgName = std::move(orgName);
  c.collation = collation;
  c.length = length;
  c.type = type;
  c.flags = flags;
  c.decimals = decimals;
  return c;
}

// Columns of `SELECT o.id, o.name, o.price, 1+1 AS two FROM shop.orders o` on MySQL 8.
const std::vector<ColumnCase>& columnCases() {
  static const std::vector<ColumnCase> cases = {
      {"INT primary key",
       fromHex("03 646566"        // catalog "def"
               "04 73686f70"      // schema "shop"
               "01 6f"            // table alias "o"
               "06 6f7264657273"  // original table "orders"
               "02 6964"          // name "id"
               "02 6964"          // original name "id"
               "0c"               // length of the fixed fields
               "3f00"             // collation 63 (binary)
               "0b000000"         // column length 11
               "03"               // type LONG
               "0342"             // flags NOT_NULL | PRI_KEY | AUTO_INCREMENT | PART_KEY
               "00"               // decimals
               "0000"),           // filler
       column("shop", "o", "orders", "id", "id", 63, 11, ColumnType::kLong,
              colflag::kNotNull | colflag::kPriKey | colflag::kAutoIncrement | 0x4000, 0)},
      {"VARCHAR(255) utf8mb4",
       fromHex("03 646566"        // catalog "def"
               "04 73686f70"      // schema "shop"
               "01 6f"            // table alias "o"
               "06 6f7264657273"  // original table "orders"
               "04 6e616d65"      // name "name"
               "04 6e616d65"      // original name "name"
               "0c"               // length of the fixed fields
               "ff00"             // collation 255 (utf8mb4_0900_ai_ci)
               "fc030000"         // column length 1020 = 255 characters * 4 bytes
               "fd"               // type VAR_STRING
               "0000"             // flags
               "00"               // decimals
               "0000"),           // filler
       column("shop", "o", "orders", "name", "name", 255, 1020, ColumnType::kVarString, 0, 0)},
      {"DECIMAL(10,2) NOT NULL",
       fromHex("03 646566"        // catalog "def"
               "04 73686f70"      // schema "shop"
               "01 6f"            // table alias "o"
               "06 6f7264657273"  // original table "orders"
               "05 7072696365"    // name "price"
               "05 7072696365"    // original name "price"
               "0c"               // length of the fixed fields
               "3f00"             // collation 63 (binary)
               "0c000000"         // column length 12: 10 digits, sign, point
               "f6"               // type NEWDECIMAL
               "0180"             // flags NOT_NULL | NUM
               "02"               // decimals 2
               "0000"),           // filler
       column("shop", "o", "orders", "price", "price", 63, 12, ColumnType::kNewDecimal,
              colflag::kNotNull | colflag::kNum, 2)},
      {"expression without table",
       fromHex("03 646566"  // catalog "def"
               "00"         // schema ""
               "00"         // table ""
               "00"         // original table ""
               "03 74776f"  // name "two"
               "00"         // original name ""
               "0c"         // length of the fixed fields
               "3f00"       // collation 63
               "03000000"   // column length 3
               "08"         // type LONGLONG
               "8100"       // flags NOT_NULL | BINARY
               "00"         // decimals
               "0000"),     // filler
       column("", "", "", "two", "", 63, 3, ColumnType::kLongLong,
              colflag::kNotNull | colflag::kBinary, 0)},
  };
  return cases;
}

void expectColumnEq(const ColumnDefinition& a, const ColumnDefinition& b) {
  EXPECT_EQ(a.catalog, b.catalog);
  EXPECT_EQ(a.schema, b.schema);
  EXPECT_EQ(a.table, b.table);
  EXPECT_EQ(a.orgTable, b.orgTable);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.orgName, b.orgName);
  EXPECT_EQ(a.collation, b.collation);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.decimals, b.decimals);
  EXPECT_EQ(a.defaultValue, b.defaultValue);
}

TEST(ColumnDefinitionTest, Decodes) {
  for (const auto& c : columnCases()) {
    SCOPED_TRACE(c.name);
    auto col = decodeColumnDefinition(c.bytes);
    ASSERT_TRUE(col);
    expectColumnEq(*col, c.expected);
  }
}

TEST(ColumnDefinitionTest, EncodesByteForByte) {
  for (const auto& c : columnCases()) {
    SCOPED_TRACE(c.name);
    std::string out;
    encodeColumnDefinition(out, c.expected);
    EXPECT_BYTES_EQ(c.bytes, out);
  }
}

TEST(ColumnDefinitionTest, RoundTripsLongNames) {
  ColumnDefinition c =
      column(std::string(300, 's'), std::string(251, 't'), "", "n", std::string(0x10000, 'o'),
             0xffff, 0xffffffff, ColumnType::kGeometry, 0xffff, 0xff);
  c.catalog = "";
  std::string out;
  encodeColumnDefinition(out, c);
  auto back = decodeColumnDefinition(out);
  ASSERT_TRUE(back);
  expectColumnEq(*back, c);
}

TEST(ColumnDefinitionTest, CutShortIsRejected) {
  for (const auto& c : columnCases()) {
    SCOPED_TRACE(c.name);
    test::expectEveryPrefixRejected(c.bytes,
                                    [](std::string_view p) { return decodeColumnDefinition(p); });
    test::expectEveryPrefixRejected(
        c.bytes, [](std::string_view p) { return decodeColumnDefinition(p, true); });
  }
}

TEST(ColumnDefinitionTest, ErrorRows) {
  const std::string& good = columnCases()[0].bytes;
  const size_t fixedLenPos = good.size() - 13;
  std::string wrongFixedLen = good;
  wrongFixedLen[fixedLenPos] = 0x0b;
  std::string longerFixedLen = good + fromHex("00");
  longerFixedLen[fixedLenPos] = 0x0d;
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"empty", ""},
      {"trailing byte", good + fromHex("00")},
      {"fixed-field length 0x0b", wrongFixedLen},
      {"fixed-field length 0x0d", longerFixedLen},
      {"catalog NULL", fromHex("fb") + good.substr(4)},
      {"OK packet", fromHex("00 00 00 0200 0000")},
      {"EOF packet", fromHex("fe 0000 0200")},
  };
  for (const auto& [name, bytes] : kRows) EXPECT_FALSE(decodeColumnDefinition(bytes)) << name;
}

// COM_FIELD_LIST responses append the column's default value as a lenenc string.
TEST(ColumnDefinitionTest, FieldListWithDefault) {
  std::string bytes = fromHex(
      "03 646566"        // catalog "def"
      "04 73686f70"      // schema "shop"
      "06 6f7264657273"  // table "orders"
      "06 6f7264657273"  // original table "orders"
      "03 717479"        // name "qty"
      "03 717479"        // original name "qty"
      "0c"               // length of the fixed fields
      "3f00"             // collation 63
      "0b000000"         // column length 11
      "03"               // type LONG
      "0100"             // flags NOT_NULL
      "00"               // decimals
      "0000"             // filler
      "01 30");          // default value "0"
  auto col = decodeColumnDefinition(bytes, true);
  ASSERT_TRUE(col);
  EXPECT_EQ(col->name, "qty");
  EXPECT_EQ(col->type, ColumnType::kLong);
  ASSERT_TRUE(col->defaultValue);
  EXPECT_EQ(*col->defaultValue, "0");

  std::string out;
  encodeColumnDefinition(out, *col);
  EXPECT_BYTES_EQ(bytes, out);

  // Without fieldList the default is an unexpected trailing field.
  EXPECT_FALSE(decodeColumnDefinition(bytes));
  // A cut inside the default value is an error; a cut right before it means "no default".
  const size_t defaultPos = bytes.size() - 2;
  EXPECT_FALSE(decodeColumnDefinition(bytes.substr(0, bytes.size() - 1), true));
  auto noDefault = decodeColumnDefinition(bytes.substr(0, defaultPos), true);
  ASSERT_TRUE(noDefault);
  EXPECT_FALSE(noDefault->defaultValue);
  // Anything after the default value is an error.
  EXPECT_FALSE(decodeColumnDefinition(bytes + fromHex("00"), true));
  // An empty default is not the same as none.
  auto empty = decodeColumnDefinition(bytes.substr(0, defaultPos) + fromHex("00"), true);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->defaultValue, "");
}

TEST(ColumnDefinitionTest, FieldListDefaultRoundTrips) {
  ColumnDefinition c = columnCases()[1].expected;
  for (std::string def : {std::string(), std::string("n/a"), std::string(300, 'd')}) {
    c.defaultValue = def;
    std::string out;
    encodeColumnDefinition(out, c);
    auto back = decodeColumnDefinition(out, true);
    ASSERT_TRUE(back);
    expectColumnEq(*back, c);
  }
}

// Encoding from views (straight from a backend's metadata) gives the same bytes.
TEST(ColumnDefinitionTest, EncodesFromViews) {
  for (const auto& c : columnCases()) {
    SCOPED_TRACE(c.name);
    const ColumnDefinition& d = c.expected;
    ColumnDefinitionRef r{d.catalog,   d.schema, d.table, d.orgTable, d.name,     d.orgName,
                          d.collation, d.length, d.type,  d.flags,    d.decimals, std::nullopt};
    std::string out;
    encodeColumnDefinition(out, r);
    EXPECT_BYTES_EQ(c.bytes, out);
    r.defaultValue = "0";
    out.clear();
    encodeColumnDefinition(out, r);
    EXPECT_BYTES_EQ(c.bytes + fromHex("01 30"), out);
  }
}

TEST(ColumnCountTest, Encodes) {
  struct Case {
    uint64_t count;
    const char* hex;
  };
  for (const Case& c : {Case{1, "01"}, Case{250, "fa"}, Case{251, "fc fb00"}, Case{4096, "fc 0010"},
                        Case{0x10000, "fd 000001"}}) {
    std::string out;
    encodeColumnCount(out, c.count);
    EXPECT_BYTES_EQ(fromHex(c.hex), out);
  }
}

// ---------------------------------------------------------------------------------------------
// Text rows

TEST(TextRowTest, DecodesNullEmptyAndValues) {
  std::string bytes = fromHex(
      "01 31"        // "1"
      "fb"           // NULL
      "00"           // ""
      "04 342e3530"  // "4.50"
      "01 fb");      // a one-byte value that happens to be 0xfb
  auto row = decodeTextRow(bytes, 5);
  ASSERT_TRUE(row);
  ASSERT_EQ(row->size(), 5u);
  EXPECT_EQ((*row)[0], "1");
  EXPECT_EQ((*row)[1], std::nullopt);
  ASSERT_TRUE((*row)[2]);
  EXPECT_EQ((*row)[2], "");
  EXPECT_EQ((*row)[3], "4.50");
  EXPECT_EQ((*row)[4], "\xfb");

  std::string out;
  encodeTextRow(out, *row);
  EXPECT_BYTES_EQ(bytes, out);
}

TEST(TextRowTest, LongValuesUseWiderLengths) {
  struct Case {
    size_t size;
    const char* prefixHex;
  };
  for (const Case& c :
       {Case{250, "fa"}, Case{251, "fc fb00"}, Case{300, "fc 2c01"}, Case{0x10000, "fd 000001"}}) {
    SCOPED_TRACE(c.size);
    std::string value = test::patternBytes(c.size);
    std::string out;
    encodeTextRow(out, {TextValue(value), std::nullopt, TextValue("x")});
    std::string prefix = fromHex(c.prefixHex);
    EXPECT_BYTES_EQ(prefix, out.substr(0, prefix.size()));
    EXPECT_BYTES_EQ(fromHex("fb 01 78"), out.substr(out.size() - 3));
    auto row = decodeTextRow(out, 3);
    ASSERT_TRUE(row);
    ASSERT_EQ(row->size(), 3u);
    EXPECT_TRUE((*row)[0] == value);
    EXPECT_FALSE((*row)[1]);
    EXPECT_EQ((*row)[2], "x");
    if (c.size <= 300) {
      test::expectEveryPrefixRejected(out, [](std::string_view p) { return decodeTextRow(p, 3); });
    }
  }
}

// Writing a row value by value gives the same bytes as encodeTextRow.
TEST(TextRowTest, AppendValueByValue) {
  const std::string longValue(300, 'v');
  std::string out = "x";
  appendTextValue(out, "1");
  appendTextNull(out);
  appendTextValue(out, "");
  appendTextValue(out, longValue);
  std::string expected = "x";
  encodeTextRow(expected, {TextValue("1"), std::nullopt, TextValue(""), TextValue(longValue)});
  EXPECT_BYTES_EQ(expected, out);
  EXPECT_BYTES_EQ(fromHex("78 0131 fb 00 fc2c01"), out.substr(0, 8));
}

TEST(TextRowTest, ColumnCountMustMatch) {
  std::string bytes = fromHex("01 31 fb 00");
  EXPECT_TRUE(decodeTextRow(bytes, 3));
  EXPECT_FALSE(decodeTextRow(bytes, 2)) << "trailing value";
  EXPECT_FALSE(decodeTextRow(bytes, 4)) << "missing value";
  EXPECT_FALSE(decodeTextRow(bytes, 0));
  auto none = decodeTextRow("", 0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  test::expectEveryPrefixRejected(bytes, [](std::string_view p) { return decodeTextRow(p, 3); });
}

TEST(TextRowTest, ErrorRows) {
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"0xff length", fromHex("ff 0000")},
      {"value past the end", fromHex("05 3132")},
      {"2-byte length cut", fromHex("fc 01")},
      {"8-byte length past the end", fromHex("fe ffffffffffffffff 31")},
  };
  for (const auto& [name, bytes] : kRows) EXPECT_FALSE(decodeTextRow(bytes, 1)) << name;
}

}  // namespace
}  // namespace shardproxy::protocol

namespace shardproxy::protocol {
namespace {

TEST(ColumnDefinitionTest, FieldListNullDefaultIsFb) {
  ColumnDefinitionRef c;
  c.schema = "s";
  c.table = "t";
  c.orgTable = "t";
  c.name = "a";
  c.orgName = "a";
  c.collation = 63;
  c.length = 11;
  c.type = ColumnType::kLong;
  c.nullDefault = true;
  std::string out;
  encodeColumnDefinition(out, c);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(static_cast<uint8_t>(out.back()), 0xfb);
  auto back = decodeColumnDefinition(out, true);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->defaultValue.has_value());
  EXPECT_EQ(back->name, "a");
}

}  // namespace
}  // namespace shardproxy::protocol
