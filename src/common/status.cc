#include "common/status.h"

namespace shardproxy {

std::string Status::toString() const {
  if (isOk()) return "OK";
  return "ERROR " + std::to_string(code_) + " (" + sqlState_ + "): " + message_;
}

Status makeError(uint16_t code, std::string message) {
  return Status(code, "HY000", std::move(message));
}

}  // namespace shardproxy
