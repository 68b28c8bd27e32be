// Rows as the merger sees them, and the stream interface every merge primitive implements and
// consumes. Units' results arrive in the text protocol: each cell is NULL or the value's text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/asio.h"
#include "common/status.h"

namespace shardproxy::merger {

struct Cell {
  bool null = true;
  std::string text;  // the value as the server wrote it (when not null)
};
using Row = std::vector<Cell>;

// What comparing and aggregating a column needs, from the backends' column definitions.
struct ColumnInfo {
  std::string label;     // the column's name in the result (alias or expression text)
  uint8_t type = 0;      // MySQL field type (enum_field_types: 1 TINY .. 246 NEWDECIMAL, 253 ...)
  bool isUnsigned = false;
  bool binary = false;   // binary collation (charsetnr 63) or a _bin collation: compare bytes
  uint16_t collation = 0;
  uint8_t decimals = 0;
  uint32_t length = 0;
};

// A stream of rows, pulled one at a time. Implementations own whatever they read from.
class RowStream {
 public:
  virtual ~RowStream() = default;
  // The next row into `row` (its previous contents may be reused); false at the end. After an
  // error the stream is finished.
  virtual awaitable<Result<bool>> next(Row& row) = 0;
  // What the stream is, for EXPLAIN and tests: "MergeSort(...)" for a merge primitive.
  virtual std::string describe() const { return "Rows"; }
};

}  // namespace shardproxy::merger
