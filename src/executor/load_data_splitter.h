// Cuts the bytes of a LOAD DATA file into rows of fields as MySQL's LOAD DATA reads them (its
// READ_INFO: FIELDS TERMINATED BY / [OPTIONALLY] ENCLOSED BY / ESCAPED BY, LINES STARTING BY /
// TERMINATED BY, IGNORE n LINES, `\N` and unquoted NULL as SQL NULL, escapes), fed piece by piece
// as the client sends the file, so that only the rows not yet taken are held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shardproxy::executor {

struct LoadDataFormat {
  std::string fieldsTerminatedBy = "\t";
  std::string enclosedBy;        // one byte or none
  std::string escapedBy = "\\";  // one byte or none
  std::string linesStartingBy;
  std::string linesTerminatedBy = "\n";
};

struct LoadDataField {
  std::string text;
  bool null = false;
};

struct LoadDataRow {
  // At most the statement's column count; fewer when the line had fewer fields (MySQL's 1261
  // warning for each missing one).
  std::vector<LoadDataField> fields;
  bool cut = false;  // the line had more fields than columns: the rest was skipped (1262)
};

class LoadDataSplitter {
 public:
  // ER_WRONG_FIELD_TERMINATORS (1083) when ENCLOSED BY or ESCAPED BY is longer than one byte, as
  // MySQL; fixed-width rows (FIELDS TERMINATED BY '' with no ENCLOSED BY) are not supported.
  static Status check(const LoadDataFormat& format);

  // `columns`: how many fields a row takes (the statement's column list, or the table's columns).
  LoadDataSplitter(LoadDataFormat format, size_t columns, uint64_t ignoreLines);

  void feed(std::string_view bytes);
  // No more bytes will come.
  void finish() { finished_ = true; }

  enum class Next { kRow, kNeedMore, kEnd };
  // The next row; kNeedMore until more bytes are fed (or finish()), kEnd after the last row.
  Next next(LoadDataRow& row);

  // Bytes fed and not yet cut into rows.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  struct Cursor;
  bool skipLine(Cursor& in);                   // MySQL's next_line(): false at the end of the data
  bool readRow(Cursor& in, LoadDataRow& row);  // false: no row (end of the data)

  LoadDataFormat format_;
  size_t columns_;
  uint64_t ignoreLines_;     // lines still to skip
  uint64_t ignoreRows_ = 0;  // with no line terminator, IGNORE n counts rows
  std::string buffer_;
  size_t pos_ = 0;
  bool finished_ = false;
  size_t retryAt_ = 0;  // after kNeedMore: try again once this many bytes are buffered
};

}  // namespace shardproxy::executor
