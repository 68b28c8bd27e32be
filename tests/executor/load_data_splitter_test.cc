// The LOAD DATA field and line splitter, against what MariaDB 10.11 itself loads from the same
// bytes: every expected row below is what `LOAD DATA LOCAL INFILE` with the same options stored
// in a table of nullable VARBINARY columns (a missing field shows there as NULL), and the
// counts are the 1261 / 1262 warnings it gave. Each case is also fed cut at every byte, as the
// client's packets may cut it.
#include "executor/load_data_splitter.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace shardproxy::executor {
namespace {

using Row = std::vector<std::optional<std::string>>;

struct Case {
  const char* name;
  std::string fieldsTerminatedBy;
  std::string enclosedBy;
  std::string escapedBy;
  std::string linesStartingBy;
  std::string linesTerminatedBy;
  uint64_t ignoreLines;
  size_t columns;
  std::string data;
  std::vector<Row> rows;
  size_t missingFields;  // 1261 warnings
  size_t cutRows;        // 1262 warnings
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"basic",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b\nc,d\n", 8),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("c", 1), std::string("d", 1)}},
       0,
       0},
      {"no trailing newline",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b\nc,d", 7),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("c", 1), std::string("d", 1)}},
       0,
       0},
      {"empty fields",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string(",\n,,\n", 5),
       {{std::string("", 0), std::string("", 0)}, {std::string("", 0), std::string("", 0)}},
       0,
       0},
      {"enclosed terminator",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a,b\",c\n", 8),
       {{std::string("a,b", 3), std::string("c", 1)}},
       0,
       0},
      {"enclosed newline",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a\nb\",c\n", 8),
       {{std::string("a\nb", 3), std::string("c", 1)}},
       0,
       0},
      {"escaped enclosure",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a\\\"b\",c\n", 9),
       {{std::string("a\"b", 3), std::string("c", 1)}},
       0,
       0},
      {"doubled enclosure",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a\"\"b\",c\n", 9),
       {{std::string("a\"b", 3), std::string("c", 1)}},
       0,
       0},
      {"crlf lines",
       ",",
       "",
       "\\",
       "",
       "\r\n",
       0,
       2,
       std::string("a,b\r\nc,d\r\n", 10),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("c", 1), std::string("d", 1)}},
       0,
       0},
      {"crlf with lf terminator",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b\r\n", 5),
       {{std::string("a", 1), std::string("b\r", 2)}},
       0,
       0},
      {"fewer fields",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       3,
       std::string("a\nb,c\n", 6),
       {{std::string("a", 1), std::nullopt, std::nullopt},
        {std::string("b", 1), std::string("c", 1), std::nullopt}},
       3,
       0},
      {"more fields",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b,c\nd,e\n", 10),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("d", 1), std::string("e", 1)}},
       0,
       1},
      {"more fields at eof",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b,c", 5),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"null unenclosed",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       3,
       std::string("\\N,NULL,\\\\N\n", 12),
       {{std::nullopt, std::string("NULL", 4), std::string("\\N", 2)}},
       0,
       0},
      {"null enclosed",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       3,
       std::string("\\N,NULL,\"NULL\"\n", 15),
       {{std::nullopt, std::nullopt, std::string("NULL", 4)}},
       0,
       0},
      {"escapes",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a\\tb\\nc,d\\\\e\\0f\\Zg\\rh\\bi\\qj\n", 28),
       {{std::string("a\tb\nc", 5), std::string("d\\e\000f\032g\rh\010iqj", 13)}},
       0,
       0},
      {"lines starting by",
       ",",
       "",
       "\\",
       "xxx",
       "\n",
       0,
       2,
       std::string("xxxa,b\nzzz\nyyyxxxc,d\n", 21),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("c", 1), std::string("d", 1)}},
       0,
       0},
      {"ignore lines",
       ",",
       "",
       "\\",
       "",
       "\n",
       1,
       2,
       std::string("h1,h2\na,b\n", 10),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"ignore lines escaped newline",
       ",",
       "",
       "\\",
       "",
       "\n",
       1,
       2,
       std::string("h1\\\nh2\na,b\n", 11),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"escaped newline",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a\\\nb,c\n", 7),
       {{std::string("a\nb", 3), std::string("c", 1)}},
       0,
       0},
      {"empty line",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b\n\nc,d\n", 9),
       {{std::string("a", 1), std::string("b", 1)},
        {std::string("", 0), std::nullopt},
        {std::string("c", 1), std::string("d", 1)}},
       1,
       0},
      {"junk after enclosure",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a\"b,c\nd,e\n", 11),
       {{std::string("\"a\"b,c\nd,e\n", 11), std::nullopt}},
       1,
       0},
      {"no escape",
       ",",
       "",
       "",
       "",
       "\n",
       0,
       2,
       std::string("a\\b,c\n", 6),
       {{std::string("a\\b", 3), std::string("c", 1)}},
       0,
       0},
      {"tab default",
       "\t",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a\tb\n", 4),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"long field terminator",
       "||",
       "",
       "\\",
       "",
       "\n",
       0,
       3,
       std::string("a||b|c||d\n", 10),
       {{std::string("a", 1), std::string("b|c", 3), std::string("d", 1)}},
       0,
       0},
      {"enclosed at eof",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"a\",\"b\"", 7),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"unclosed enclosure",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"ab\nc,d\n", 8),
       {{std::string("\"ab\nc,d\n", 8), std::nullopt}},
       1,
       0},
      {"trailing field terminator",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b,\n", 5),
       {{std::string("a", 1), std::string("b", 1)}},
       0,
       0},
      {"escape is enclosure",
       ",",
       "\"",
       "\"",
       "",
       "\n",
       0,
       2,
       std::string("\"a\"\"b\",\"c\"\n", 11),
       {{std::string("a\"b", 3), std::string("c", 1)}},
       0,
       0},
      {"same field and line terminator",
       ",",
       "",
       "\\",
       "",
       ",",
       0,
       2,
       std::string("a,b,c,d,", 8),
       {{std::string("a", 1), std::string("b", 1)}, {std::string("c", 1), std::string("d", 1)}},
       0,
       0},
      {"escape at eof",
       ",",
       "",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("a,b\\", 4),
       {{std::string("a", 1), std::string("b\\", 2)}},
       0,
       0},
      {"multi-byte line terminator partial",
       ",",
       "",
       "\\",
       "",
       "\r\n",
       0,
       2,
       std::string("a,b\rc\r\nd,e\r\n", 12),
       {{std::string("a", 1), std::string("b\rc", 3)}, {std::string("d", 1), std::string("e", 1)}},
       0,
       0},
      {"enclosed empty and null",
       ",",
       "\"",
       "\\",
       "",
       "\n",
       0,
       2,
       std::string("\"\",\"\"\n\"\\N\",x\n", 13),
       {{std::string("", 0), std::string("", 0)}, {std::nullopt, std::string("x", 1)}},
       0,
       0},
  };
  return all;
}

struct Split {
  std::vector<Row> rows;
  size_t missing = 0;
  size_t cut = 0;
};

// Feeds `data` in pieces cut at `cuts` (increasing offsets) and takes every row.
Split splitAt(const Case& c, const std::vector<size_t>& cuts) {
  LoadDataFormat format{c.fieldsTerminatedBy, c.enclosedBy, c.escapedBy, c.linesStartingBy,
                        c.linesTerminatedBy};
  LoadDataSplitter splitter(format, c.columns, c.ignoreLines);
  Split out;
  LoadDataRow row;
  auto take = [&]() {
    for (;;) {
      LoadDataSplitter::Next n = splitter.next(row);
      if (n != LoadDataSplitter::Next::kRow) return n;
      Row r;
      for (const LoadDataField& f : row.fields) {
        r.push_back(f.null ? std::nullopt : std::optional<std::string>(f.text));
      }
      out.missing += c.columns - row.fields.size();
      r.resize(c.columns);  // a missing field: NULL in the reference table
      out.cut += row.cut ? 1 : 0;
      out.rows.push_back(std::move(r));
    }
  };
  size_t at = 0;
  for (size_t cut : cuts) {
    splitter.feed(std::string_view(c.data).substr(at, cut - at));
    at = cut;
    EXPECT_NE(take(), LoadDataSplitter::Next::kEnd) << "ended before the data did";
  }
  splitter.feed(std::string_view(c.data).substr(at));
  splitter.finish();
  EXPECT_EQ(take(), LoadDataSplitter::Next::kEnd);
  EXPECT_EQ(splitter.buffered(), 0u);
  return out;
}

TEST(LoadDataSplitterTest, AsMariaDbLoadsIt) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Split whole = splitAt(c, {});
    EXPECT_EQ(whole.rows, c.rows);
    EXPECT_EQ(whole.missing, c.missingFields);
    EXPECT_EQ(whole.cut, c.cutRows);
  }
}

TEST(LoadDataSplitterTest, AnyPacketBoundaries) {
  for (const Case& c : cases()) {
    for (size_t at = 0; at <= c.data.size(); ++at) {
      SCOPED_TRACE(std::string(c.name) + ", cut at " + std::to_string(at));
      Split two = splitAt(c, {at});
      EXPECT_EQ(two.rows, c.rows);
      EXPECT_EQ(two.missing, c.missingFields);
      EXPECT_EQ(two.cut, c.cutRows);
    }
    std::vector<size_t> everyByte;
    for (size_t at = 1; at < c.data.size(); ++at) everyByte.push_back(at);
    SCOPED_TRACE(std::string(c.name) + ", byte by byte");
    EXPECT_EQ(splitAt(c, everyByte).rows, c.rows);
  }
}

TEST(LoadDataSplitterTest, HoldsOnlyTheRowInProgress) {
  // A large file fed in packets: what is buffered never grows past one packet and a row.
  LoadDataSplitter splitter(LoadDataFormat{",", "", "\\", "", "\n"}, 2, 0);
  std::string packet;
  for (int i = 0; i < 1000; ++i) packet += std::to_string(i) + ",value " + std::to_string(i) + "\n";
  LoadDataRow row;
  size_t rows = 0;
  size_t most = 0;
  for (int p = 0; p < 200; ++p) {
    // Cut mid-row: the packet ends inside a line.
    splitter.feed(std::string_view(packet).substr(p == 0 ? 0 : 3));
    splitter.feed(std::string_view(packet).substr(0, 3));
    while (splitter.next(row) == LoadDataSplitter::Next::kRow) ++rows;
    most = std::max(most, splitter.buffered());
  }
  splitter.finish();
  while (splitter.next(row) == LoadDataSplitter::Next::kRow) ++rows;
  EXPECT_EQ(rows, 200u * 1000u + 1);  // and the last "0,v"
  EXPECT_LT(most, 64u);
}

TEST(LoadDataSplitterTest, ChecksTerminatorsAsMySql) {
  EXPECT_TRUE(LoadDataSplitter::check(LoadDataFormat{}).isOk());
  EXPECT_EQ(LoadDataSplitter::check(LoadDataFormat{",", "ab", "\\", "", "\n"}).code(), 1083);
  EXPECT_EQ(LoadDataSplitter::check(LoadDataFormat{",", "", "ab", "", "\n"}).code(), 1083);
  // Fixed-width rows.
  EXPECT_EQ(LoadDataSplitter::check(LoadDataFormat{"", "", "\\", "", "\n"}).code(), 1235);
  EXPECT_TRUE(LoadDataSplitter::check(LoadDataFormat{"", "\"", "\\", "", "\n"}).isOk());
}

}  // namespace
}  // namespace shardproxy::executor
