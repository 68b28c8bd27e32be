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

  void null();
  // `text` is the value as the text protocol has it ("-12", "1.5e-7", "2024-01-02 03:04:05.5",
  // "-838:59:59", "abc"...). `type` and `isUnsigned` are the column's. False when the text is not
  // a value of that type (then nothing was written for the column and the row is unusable).
  bool value(ColumnType type, bool isUnsigned, std::string_view text);

 private:
  std::string& out_;
  size_t bitmapAt_;
  size_t column_ = 0;
};

// Decodes a binary row of columns of `types`; each value is nullopt for NULL, else its raw wire
// bytes (for length-encoded types, the content without the length). For tests and tools.
std::optional<std::vector<std::optional<std::string_view>>> decodeBinaryRow(
    std::string_view payload, const std::vector<ParamType>& types);

}  // namespace shardproxy::protocol
