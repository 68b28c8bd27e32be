// Binary protocol result rows (COM_STMT_EXECUTE / COM_STMT_FETCH answers): a 0x00 header, a
// NULL bitmap offset by 2 bits, then each non-NULL value in its column type's binary form.
// The proxy reads backends in the text protocol, so rows are built from text values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constants.h"
#include "protocol/stmt_execute.h"

namespace shardproxy::protocol {

// Writes one binary row into `out` (which it appends to): construct, then call null() or
// value() once per column, in column order.
class BinaryRowWriter {
 public:
  BinaryRowWriter(std::string& out, size_t columns);

  // Calls past the last column are ignored.
  void null();
  // `text` is the value as the text protocol has it ("-12", "1.5e-7", "2024-01-02 03:04:05.5",
  // "-838:59:59", "abc"...). `type` and `isUnsigned` are the column's. False when the text is not
  // a value of that type, or the type has no binary form, or every column is written (then
  // nothing was written for the column and the row is unusable). A column of type NULL can hold
  // nothing but NULL, and clients read no bytes for it: it is written as NULL whatever the text.
  bool value(ColumnType type, bool isUnsigned, std::string_view text);

 private:
  std::string& out_;
  size_t bitmapAt_;
  size_t columns_;
  size_t column_ = 0;
};

// Decodes a binary row of columns of `types`; each value is nullopt for NULL, else its raw wire
// bytes (for length-encoded types, the content without the length; for dates and times, the
// length byte and what follows, as readBinaryValue reads them; empty for a type NULL column
// whose bit is clear). nullopt on a bad header, a set reserved or padding bit in the bitmap, a
// malformed value or bytes after the last one. For tests and tools.
std::optional<std::vector<std::optional<std::string_view>>> decodeBinaryRow(
    std::string_view payload, const std::vector<ParamType>& types);

}  // namespace shardproxy::protocol
