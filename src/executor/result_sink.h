// Where the engine writes what the client receives: the front end encodes it in the protocol the
// command asked for (text or binary rows), or keeps it for a cursor; tests record it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "protocol/column_definition.h"
#include "protocol/ok_err.h"

namespace shardproxy::executor {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // A result set: the column count, each definition, then the end of the definitions.
  virtual void columnCount(size_t count) = 0;
  virtual void column(const protocol::ColumnDefinitionRef& c) = 0;
  virtual void columnsEnd(uint16_t statusFlags) = 0;
  // A row: its values in order, then endRow(). value() is false when the text is not a value of
  // the column's type (binary rows only); endRow(false) then drops the row.
  virtual void beginRow() = 0;
  virtual bool value(std::string_view text) = 0;
  virtual void null() = 0;
  virtual void endRow(bool valid = true) = 0;
  // The end of a result set (EOF, or OK with the 0xfe header).
  virtual void end(uint16_t statusFlags, uint16_t warnings) = 0;
  virtual void ok(const protocol::OkPacket& ok) = 0;
  virtual void error(const Status& s) = 0;
  // After each row: true when enough is buffered that it should go to the client now.
  virtual bool rowWritten() = 0;
  // After a row: an error that ends the result early (a cursor's rows past the memory budgets);
  // ok while rows may go on.
  virtual Status stopped() const { return Status::ok(); }
  // Sends what is buffered; an error means the client is gone.
  virtual awaitable<Status> flush() = 0;
};

// A result set of text columns made by the proxy itself (nullopt: NULL).
void writeTextResult(ResultSink& sink, const std::vector<std::string>& columns,
                     const std::vector<std::vector<std::string>>& rows, uint16_t statusFlags);
void writeNullableTextResult(ResultSink& sink, const std::vector<std::string>& columns,
                             const std::vector<std::vector<std::optional<std::string>>>& rows,
                             uint16_t statusFlags);

}  // namespace shardproxy::executor
