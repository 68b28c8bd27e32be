// Status and Result<T>: how the data plane reports errors. An error is a MySQL error
// (errno, SQLSTATE, message) so it can go to the client unchanged as an ERR packet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shardproxy {

// MySQL server error numbers the proxy itself produces.
namespace er {
inline constexpr uint16_t kConCount = 1040;           // Too many connections
inline constexpr uint16_t kHandshake = 1043;          // Bad handshake
inline constexpr uint16_t kDbAccessDenied = 1044;     // to database
inline constexpr uint16_t kAccessDenied = 1045;       // user/password
inline constexpr uint16_t kNoDb = 1046;               // No database selected
inline constexpr uint16_t kUnknownCom = 1047;         // Unknown command
inline constexpr uint16_t kBadDb = 1049;              // Unknown database
inline constexpr uint16_t kNetPacketTooLarge = 1153;  // max_allowed_packet
inline constexpr uint16_t kNetReadError = 1158;
inline constexpr uint16_t kNetPacketsOutOfOrder = 1156;
inline constexpr uint16_t kNetUncompressError = 1157;
inline constexpr uint16_t kUnknownError = 1105;
inline constexpr uint16_t kNotSupportedYet = 1235;
inline constexpr uint16_t kUnsupportedPs = 1295;
inline constexpr uint16_t kMalformedPacket = 1835;
inline constexpr uint16_t kQueryInterrupted = 1317;
inline constexpr uint16_t kServerShutdown = 1053;
inline constexpr uint16_t kWrongArguments = 1210;
inline constexpr uint16_t kOutOfResources = 1041;
inline constexpr uint16_t kUnknownStmtHandler = 1243;    // Unknown prepared statement handler
inline constexpr uint16_t kMaxPreparedStmtCount = 1461;  // max_prepared_stmt_count reached
inline constexpr uint16_t kNoSuchThread = 1094;          // KILL: Unknown thread id
inline constexpr uint16_t kKillDenied = 1095;            // KILL: not owner of thread
inline constexpr uint16_t kUnknownSystemVariable = 1193;
inline constexpr uint16_t kWrongValueForVar = 1231;
inline constexpr uint16_t kSpDoesNotExist = 1305;  // SAVEPOINT ... does not exist
inline constexpr uint16_t kStmtHasNoOpenCursor = 1421;
inline constexpr uint16_t kCantChangeTxCharacteristics = 1568;
inline constexpr uint16_t kOutOfSortMemory = 1038;       // a memory merge past its limit
inline constexpr uint16_t kWrongValueCountOnRow = 1136;  // Column count doesn't match value count
inline constexpr uint16_t kSecureTransportRequired = 3159;  // plain TCP while TLS is required
// ShardingSphere-Proxy's own codes, where the proxy refuses what ShardingSphere refuses.
inline constexpr uint16_t kSsBindingTableNotFound = 20005;
inline constexpr uint16_t kSsNullShardingValue = 20020;
inline constexpr uint16_t kSsUnsupportedShardingTableDdl = 20040;
inline constexpr uint16_t kSsShardingValueUpdated = 20041;
inline constexpr uint16_t kSsNoDataSourceIntersection = 20047;
inline constexpr uint16_t kSsRouteTargetMissing = 20081;
inline constexpr uint16_t kSsHintDataSourceUnknown = 20086;
inline constexpr uint16_t kSsDuplicateRecordRoute = 20087;
inline constexpr uint16_t kSsDmlWithoutShardingConditions = 20090;
// Client-side codes used when a backend cannot be reached.
inline constexpr uint16_t kCrConnectionError = 2002;
inline constexpr uint16_t kCrConnHostError = 2003;
inline constexpr uint16_t kCrServerGone = 2006;
inline constexpr uint16_t kCrServerLost = 2013;
inline constexpr uint16_t kCrSslConnectionError = 2026;
// What clients are told instead (asServerError): the codes of MySQL's FEDERATED engine.
inline constexpr uint16_t kConnectToForeignDataSource = 1429;
inline constexpr uint16_t kQueryOnForeignDataSource = 1430;
}  // namespace er

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(uint16_t code, std::string sqlState, std::string message)
      : code_(code), sqlState_(std::move(sqlState)), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == 0; }
  explicit operator bool() const { return isOk(); }
  uint16_t code() const { return code_; }
  const std::string& sqlState() const { return sqlState_; }
  const std::string& message() const { return message_; }
  std::string toString() const;

  // Explicit, searchable way to drop a status on purpose.
  void ignoreError() const {}

 private:
  uint16_t code_ = 0;
  std::string sqlState_;
  std::string message_;
};

// Error with SQLSTATE HY000, the generic one.
Status makeError(uint16_t code, std::string message);

// A backend failure as a client may be told of it. Codes 2000-2999 are the client library's own,
// for what it detects itself; the MariaDB client library reports one that arrives in a server's
// ERR packet as 2027 "Received malformed packet", and the mariadb CLI shows only that. So a
// data source that could not be reached (2002, 2003, 2026) becomes 1429 ER_CONNECT_TO_FOREIGN_
// DATA_SOURCE and any other client-library failure (a connection lost during the statement)
// 1430 ER_QUERY_ON_FOREIGN_DATA_SOURCE, as MySQL's FEDERATED engine reports its remote server;
// the message keeps what happened. Every other status is returned as it is.
Status asServerError(const Status& s);

// MySQL's wording of errors about databases.
Status databaseAccessDenied(std::string_view user, std::string_view host,
                            std::string_view database);
Status unknownDatabase(std::string_view database);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace shardproxy
