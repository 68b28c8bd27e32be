#include "admin/session_status.h"

#include <strings.h>

namespace shardproxy::admin {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string> SessionStatusSink::ownValue(std::string_view name) const {
  if (own_) return own_(name);
  if (equalsIgnoreCase(name, "Ssl_cipher")) return tlsCipher_;
  if (equalsIgnoreCase(name, "Ssl_version")) return tlsVersion_;
  return std::nullopt;
}

void SessionStatusSink::columnCount(size_t count) {
  statusColumns_ = count == 2;
  out_.columnCount(count);
}

void SessionStatusSink::beginRow() {
  column_ = 0;
  replacement_.reset();
  out_.beginRow();
}

bool SessionStatusSink::value(std::string_view text) {
  size_t column = column_++;
  if (statusColumns_ && column == 0) replacement_ = ownValue(text);
  if (column == 1 && replacement_) return out_.value(*replacement_);
  return out_.value(text);
}

void SessionStatusSink::null() {
  size_t column = column_++;
  if (column == 1 && replacement_) {
    out_.value(*replacement_);
    return;
  }
  out_.null();
}

}  // namespace shardproxy::admin
