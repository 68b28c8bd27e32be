#include "common/status.h"

namespace shardproxy {

std::string Status::toString() const {
  if (isOk()) return "OK";
  return "ERROR " + std::to_string(code_) + " (" + sqlState_ + "): " + message_;
}

Status makeError(uint16_t code, std::string message) {
  return Status(code, "HY000", std::move(message));
}

Status asServerError(const Status& s) {
  if (s.code() < 2000 || s.code() > 2999) return s;
  switch (s.code()) {
    case er::kCrConnectionError:
    case er::kCrConnHostError:
    case er::kCrSslConnectionError:
      return Status(er::kConnectToForeignDataSource, "HY000",
                    "Unable to connect to foreign data source: " + s.message());
    default:
      return Status(er::kQueryOnForeignDataSource, "HY000",
                    "There was a problem processing the query on the foreign data source. Data "
                    "source error: " +
                        s.message());
  }
}

Status databaseAccessDenied(std::string_view user, std::string_view host,
                            std::string_view database) {
  return Status(er::kDbAccessDenied, "42000",
                "Access denied for user '" + std::string(user) + "'@'" + std::string(host) +
                    "' to database '" + std::string(database) + "'");
}

Status unknownDatabase(std::string_view database) {
  return Status(er::kBadDb, "42000", "Unknown database '" + std::string(database) + "'");
}

}  // namespace shardproxy
