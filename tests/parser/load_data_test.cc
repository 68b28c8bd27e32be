// LOAD DATA options read from the statement's text (parser/load_data.h).
#include "parser/load_data.h"

#include <gtest/gtest.h>

namespace shardproxy::parser {
namespace {

using D = LoadDataOptions::Duplicates;

TEST(LoadDataOptionsTest, Defaults) {
  auto o = parseLoadData("LOAD DATA LOCAL INFILE '/tmp/x.txt' INTO TABLE t");
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_TRUE(o->local);
  EXPECT_FALSE(o->xml);
  EXPECT_EQ(o->fileName, "/tmp/x.txt");
  EXPECT_EQ(o->duplicates, D::kDefault);
  EXPECT_EQ(o->table, "t");
  EXPECT_EQ(o->schema, "");
  EXPECT_EQ(o->tableText, "t");
  EXPECT_EQ(o->fieldsTerminatedBy, "\t");
  EXPECT_EQ(o->enclosedBy, "");
  EXPECT_EQ(o->escapedBy, "\\");
  EXPECT_EQ(o->linesStartingBy, "");
  EXPECT_EQ(o->linesTerminatedBy, "\n");
  EXPECT_EQ(o->ignoreLines, 0u);
  EXPECT_TRUE(o->columns.empty());
  EXPECT_FALSE(o->hasSet);
}

TEST(LoadDataOptionsTest, EveryOption) {
  auto o = parseLoadData(
      "LOAD DATA LOW_PRIORITY LOCAL INFILE 'a''b.csv' REPLACE INTO TABLE `my db`.`t``1` "
      "CHARACTER SET UTF8MB4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
      "LINES STARTING BY 'x:' TERMINATED BY '\\r\\n' IGNORE 2 LINES (a, `b c`, t.d, @v) "
      "SET e = @v");
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->fileName, "a'b.csv");
  EXPECT_EQ(o->duplicates, D::kReplace);
  EXPECT_EQ(o->schema, "my db");
  EXPECT_EQ(o->table, "t`1");
  EXPECT_EQ(o->tableText, "`my db`.`t``1`");
  EXPECT_EQ(o->charset, "utf8mb4");
  EXPECT_EQ(o->fieldsTerminatedBy, ",");
  EXPECT_EQ(o->enclosedBy, "\"");
  EXPECT_TRUE(o->optionallyEnclosed);
  EXPECT_EQ(o->escapedBy, "");
  EXPECT_EQ(o->linesStartingBy, "x:");
  EXPECT_EQ(o->linesTerminatedBy, "\r\n");
  EXPECT_EQ(o->ignoreLines, 2u);
  ASSERT_EQ(o->columns.size(), 4u);
  EXPECT_EQ(o->columns[0].name, "a");
  EXPECT_EQ(o->columns[1].name, "b c");
  EXPECT_EQ(o->columns[2].name, "d");
  EXPECT_EQ(o->columns[3].name, "@v");
  EXPECT_TRUE(o->columns[3].variable);
  EXPECT_FALSE(o->columns[0].variable);
  EXPECT_TRUE(o->hasSet);
}

TEST(LoadDataOptionsTest, IgnoreKeywordsApart) {
  // IGNORE before INTO is the duplicates' handling, after the table the lines to skip.
  auto o = parseLoadData(
      "LOAD DATA LOCAL INFILE 'f' IGNORE INTO TABLE t COLUMNS TERMINATED BY ';' IGNORE 1 ROWS");
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->duplicates, D::kIgnore);
  EXPECT_EQ(o->ignoreLines, 1u);
  EXPECT_EQ(o->fieldsTerminatedBy, ";");
}

TEST(LoadDataOptionsTest, SqlModeReadsStrings) {
  // Under NO_BACKSLASH_ESCAPES '\t' is two characters, as the server reads it then.
  LexMode mode;
  mode.bits = LexMode::kNoBackslashEscapes;
  auto o =
      parseLoadData("LOAD DATA LOCAL INFILE 'f' INTO TABLE t FIELDS TERMINATED BY '\\t'", mode);
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->fieldsTerminatedBy, "\\t");
  EXPECT_EQ(o->escapedBy, "");  // no default escape character then, as in MariaDB
  o = parseLoadData("LOAD DATA LOCAL INFILE 'f' INTO TABLE t FIELDS ESCAPED BY '\\'", mode);
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->escapedBy, "\\");
  // ANSI_QUOTES: "x" names the table's parts.
  mode.bits = LexMode::kAnsiQuotes;
  o = parseLoadData("LOAD DATA LOCAL INFILE 'f' INTO TABLE \"d\".\"t\" (\"a\")", mode);
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->schema, "d");
  EXPECT_EQ(o->table, "t");
  EXPECT_EQ(o->columns[0].name, "a");
}

TEST(LoadDataOptionsTest, XmlPartitionAndErrors) {
  auto o = parseLoadData("LOAD XML LOCAL INFILE 'f' INTO TABLE t ROWS IDENTIFIED BY '<row>'");
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_TRUE(o->xml);
  EXPECT_TRUE(o->columns.empty());
  o = parseLoadData("LOAD DATA INFILE 'f' INTO TABLE t PARTITION (p0)");
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_FALSE(o->local);
  EXPECT_TRUE(o->partition);
  EXPECT_EQ(parseLoadData("LOAD DATA LOCAL INFILE INTO TABLE t").status().code(), 1064);
  EXPECT_EQ(parseLoadData("SELECT 1").status().code(), 1105);
}

}  // namespace
}  // namespace shardproxy::parser
