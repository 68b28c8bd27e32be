// The options of a LOAD DATA statement (file, duplicates, target table, FIELDS / LINES, IGNORE n
// LINES, the column list), for the proxy's own LOAD DATA LOCAL: the statement's AST says only that
// it is one, and LOAD DATA is rare and long enough that reading its text again costs nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/lex_mode.h"

namespace shardproxy::parser {

struct LoadDataOptions {
  bool xml = false;    // LOAD XML
  bool local = false;  // LOCAL: the client's file
  std::string fileName;
  enum class Duplicates : uint8_t { kDefault, kReplace, kIgnore };
  Duplicates duplicates = Duplicates::kDefault;
  std::string schema;  // the table's database as written; empty when not qualified
  std::string table;
  std::string tableText;   // the table name as written (quotes and qualifier included)
  bool partition = false;  // PARTITION (...)
  std::string charset;     // CHARACTER SET name (lower case); empty when not given
  // FIELDS / COLUMNS: MySQL's defaults are TERMINATED BY '\t' ENCLOSED BY '' ESCAPED BY '\\'
  // (no escape character under NO_BACKSLASH_ESCAPES).
  std::string fieldsTerminatedBy = "\t";
  std::string enclosedBy;
  bool optionallyEnclosed = false;
  std::string escapedBy = "\\";
  // LINES: STARTING BY '' TERMINATED BY '\n'.
  std::string linesStartingBy;
  std::string linesTerminatedBy = "\n";
  uint64_t ignoreLines = 0;
  // The column list: names, or user variables (`@v`, kept with the @).
  struct Column {
    std::string name;
    bool variable = false;
  };
  std::vector<Column> columns;
  bool hasSet = false;  // SET col = expr, ...
};

// The options of `sql`, a LOAD DATA or LOAD XML statement read in `mode`. Errors: the parser's
// (1064), or 1105 when the text is no LOAD statement.
Result<LoadDataOptions> parseLoadData(std::string_view sql, LexMode mode = {});

}  // namespace shardproxy::parser
