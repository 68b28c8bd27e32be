#include "frontend/result_row.h"

namespace shardproxy::frontend {

ResultRow::ResultRow(std::string& out, const ResultFormat& format) : out_(out), format_(format) {
  if (format_.binary) binary_.emplace(out_, format_.types.size());
}

void ResultRow::null() {
  if (binary_) {
    binary_->null();
  } else {
    protocol::appendTextNull(out_);
  }
  ++column_;
}

bool ResultRow::value(std::string_view text) {
  size_t column = column_++;
  if (!binary_) {
    protocol::appendTextValue(out_, text);
    return true;
  }
  if (column >= format_.types.size()) return false;
  const protocol::ParamType& t = format_.types[column];
  return binary_->value(t.type, t.isUnsigned, text);
}

}  // namespace shardproxy::frontend
