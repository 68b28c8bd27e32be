// One result set row as the client asked for it: the text protocol after COM_QUERY, the binary
// protocol after COM_STMT_EXECUTE. Values always arrive as text (backends are read in the text
// protocol); the binary form is made from the column's type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/binary_row.h"
#include "protocol/column_definition.h"
#include "protocol/stmt_execute.h"

namespace shardproxy::frontend {

// The column types of the result set being written, recorded as its definitions go out.
struct ResultFormat {
  bool binary = false;
  std::vector<protocol::ParamType> types;

  void clear() { types.clear(); }
  void add(const protocol::ColumnDefinitionRef& c) {
    types.push_back({c.type, (c.flags & protocol::colflag::kUnsigned) != 0});
  }
};

class ResultRow {
 public:
  ResultRow(std::string& out, const ResultFormat& format);

  void null();
  // False when `text` is not a value of the column's type (binary rows only): the row cannot
  // be sent.
  bool value(std::string_view text);

 private:
  std::string& out_;
  const ResultFormat& format_;
  std::optional<protocol::BinaryRowWriter> binary_;
  size_t column_ = 0;
};

}  // namespace shardproxy::frontend
