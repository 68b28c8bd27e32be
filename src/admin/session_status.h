// SHOW [SESSION] STATUS as the client's connection sees it. A backend answers, as for any other
// status variable, but it only knows its own connection to the proxy: the variables that
// describe the client's transport (Ssl_cipher, Ssl_version) get the proxy's values instead.
// SHOW VARIABLES likewise, for the variables the proxy keeps for itself (wait_timeout ...).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "executor/result_sink.h"

namespace shardproxy::admin {

// Passes a status result set (Variable_name, Value) on to `out`, with the values of the client
// transport's variables replaced.
class SessionStatusSink final : public executor::ResultSink {
 public:
  SessionStatusSink(executor::ResultSink& out, std::string tlsVersion, std::string tlsCipher)
      : out_(out), tlsVersion_(std::move(tlsVersion)), tlsCipher_(std::move(tlsCipher)) {}
  // The values `own` gives (by variable name, as the server wrote it) in place of the server's.
  using OwnValues = std::function<std::optional<std::string>(std::string_view name)>;
  SessionStatusSink(executor::ResultSink& out, OwnValues own) : out_(out), own_(std::move(own)) {}

  void columnCount(size_t count) override;
  void column(const protocol::ColumnDefinitionRef& c) override { out_.column(c); }
  void columnsEnd(uint16_t statusFlags) override { out_.columnsEnd(statusFlags); }
  void beginRow() override;
  bool value(std::string_view text) override;
  void null() override;
  void endRow(bool valid) override { out_.endRow(valid); }
  void end(uint16_t statusFlags, uint16_t warnings) override { out_.end(statusFlags, warnings); }
  void ok(const protocol::OkPacket& ok) override { out_.ok(ok); }
  void error(const Status& s) override { out_.error(s); }
  bool rowWritten() override { return out_.rowWritten(); }
  awaitable<Status> flush() override { return out_.flush(); }

 private:
  // The proxy's value of the status variable `name`, if it has its own.
  std::optional<std::string> ownValue(std::string_view name) const;

  executor::ResultSink& out_;
  std::string tlsVersion_;
  std::string tlsCipher_;
  OwnValues own_;                           // when given, in place of the transport's variables
  bool statusColumns_ = false;              // the result set has the two columns of SHOW STATUS
  size_t column_ = 0;                       // of the row being written
  std::optional<std::string> replacement_;  // for the row's Value
};

}  // namespace shardproxy::admin
