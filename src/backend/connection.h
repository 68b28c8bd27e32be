// One connection to a backend MySQL/MariaDB server, driven through the libmysqlclient API in
// non-blocking mode: every *_start/*_cont step that would block waits on the socket with Asio,
// so a worker thread never blocks on a backend.
#pragma once

#include <mysql.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"
#include "protocol/column_definition.h"

namespace shardproxy::backend {

using Clock = std::chrono::steady_clock;

// What an OK packet from the backend said.
struct OkInfo {
  uint64_t affectedRows = 0;
  uint64_t lastInsertId = 0;
  uint16_t statusFlags = 0;
  uint16_t warnings = 0;
  std::string info;
};

// Connection options that change how the server answers; they are fixed at connect time, so
// pools keep connections with different options apart.
struct ConnectFlags {
  bool foundRows = false;  // CLIENT_FOUND_ROWS: UPDATE reports matched rather than changed rows
  // Connect without a default database, for clients that have not chosen one: a statement
  // naming no database must fail as it would on the server.
  bool noDatabase = false;
  auto operator<=>(const ConnectFlags&) const = default;
};

// A column's flags as the server sent them: libmysqlclient adds NUM_FLAG to numeric columns
// on its own, which a client of the proxy must not see.
inline uint16_t serverFlags(const MYSQL_FIELD& f) {
  unsigned flags = f.flags;
  if (IS_NUM(f.type)) flags &= ~static_cast<unsigned>(NUM_FLAG);
  return static_cast<uint16_t>(flags);
}

// TLS to `ds` as its URL asks (config::SslMode), set on a handle before it connects.
void setTlsOptions(MYSQL* mysql, const config::DataSource& ds);
// After connecting: an error unless the connection is encrypted where `ds` requires it. The
// library (Connector/C 3.3) goes on in plain text when the server offers no TLS, unless it
// verifies the host name, so this is what enforces REQUIRED and VERIFY_CA.
Status checkTls(MYSQL* mysql, const config::DataSource& ds);

class Connection;

// Who a pooled connection belongs to: told when it is destroyed (its slot in the data source's
// cap comes free) and asked, before every wait on the server, whether the data source is down.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void closed(Connection* conn) = 0;
  virtual bool sourceDown() const = 0;
  virtual Status downStatus() const = 0;
  // A connect or a read timed out: the health check should look now.
  virtual void suspect() = 0;
};

class Connection {
 public:
  Connection(asio::any_io_executor executor, std::string dataSourceName);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Gives up after the URL's connectTimeout or the pool's connectionTimeoutMs, whichever is
  // shorter, or after `timeoutMs` when given. Reads then wait at most the URL's socketTimeout.
  awaitable<Status> connect(const config::DataSource& ds, ConnectFlags flags,
                            std::optional<int> timeoutMs = std::nullopt);

  // Sends one statement text (may hold several statements) and reads the first result's
  // header. Afterwards the first result is current.
  awaitable<Status> query(std::string_view sql);

  // The current result: a result set when fieldCount() > 0, else an OK.
  unsigned fieldCount() const { return mysql_field_count(mysql_); }
  const MYSQL_FIELD* fields() const { return fields_; }
  // Next row of the current result set; sets `row` to nullptr at its end.
  awaitable<Status> fetchRow(MYSQL_ROW& row);
  const unsigned long* rowLengths() const { return mysql_fetch_lengths(result_); }
  OkInfo okInfo() const;
  // Status flags of the latest OK/EOF the backend sent.
  uint16_t serverStatus() const;
  bool moreResults() const { return mysql_more_results(mysql_); }
  // Moves to the next result of a multi-result response.
  awaitable<Status> nextResult();
  // Reads and drops whatever is left of the current and following results, so the connection
  // can run the next statement.
  awaitable<Status> drain();

  // COM_FIELD_LIST: afterwards listedFields() holds the table's columns with their defaults.
  awaitable<Status> listFields(const std::string& table, const std::string& wildcard);
  unsigned listedFieldCount() const;
  const MYSQL_FIELD* listedFields() const;

  // What the server would take and return for `sql` as a prepared statement: it is prepared
  // (COM_STMT_PREPARE) and closed again at once. The server's error when it refuses it.
  struct Description {
    unsigned params = 0;
    std::vector<protocol::ColumnDefinition> columns;  // as the server named them
  };
  awaitable<Result<Description>> describe(std::string_view sql);

  // Fails (and breaks the connection) when the server does not answer by `deadline`.
  awaitable<Status> ping(std::optional<Clock::time_point> deadline = std::nullopt);
  awaitable<Status> setMultiStatements(bool on);
  // Runs a statement whose results are not wanted (session state sync).
  awaitable<Status> execute(std::string_view sql);

  // Session variables the server reported changed by the last statement (session tracking).
  std::map<std::string, std::string> takeChangedVariables();
  bool sessionStateChanged() const;

  // Escapes a string for a quoted literal, honouring the connection's NO_BACKSLASH_ESCAPES.
  std::string escape(std::string_view s) const;

  // Cheap check that the server has not closed the connection or sent something unasked
  // (an idle connection must have nothing to read).
  bool looksAlive() const;
  bool broken() const { return broken_; }
  bool idleClean() const { return result_ == nullptr && !pending_; }

  // Ends the current wait on the server, and every later one, with `why`; the connection is
  // broken from now on (its statement's state on the server is unknown).
  void abort(const Status& why);
  void setOwner(std::shared_ptr<ConnectionOwner> owner) { owner_ = std::move(owner); }

  const std::string& dataSourceName() const { return dataSourceName_; }
  std::string serverVersion() const;
  uint64_t threadId() const { return mysql_ ? mysql_thread_id(mysql_) : 0; }
  ConnectFlags flags() const { return flags_; }
  bool multiStatements() const { return multiStatements_; }

  Clock::time_point createdAt() const { return createdAt_; }
  Clock::time_point lastUsed() const { return lastUsed_; }
  void touch() { lastUsed_ = Clock::now(); }

  // Session variables as applied on this connection beyond its connect-time state.
  std::map<std::string, std::string>& appliedVariables() { return applied_; }

 private:
  // Waits until the events libmysqlclient asked for (MYSQL_WAIT_*) are ready and returns
  // them; returns MYSQL_WAIT_TIMEOUT when the library's timeout or `deadline` passes.
  awaitable<int> waitFor(int status, std::optional<Clock::time_point> deadline = std::nullopt);
  Status lastError(std::string_view what);
  void closeHandle();
  awaitable<Status> afterResultHeader(int err);

  asio::any_io_executor executor_;
  std::string dataSourceName_;
  MYSQL* mysql_ = nullptr;
  MYSQL_RES* result_ = nullptr;
  MYSQL_FIELD* fields_ = nullptr;
  MYSQL_RES* fieldList_ = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> socket_;
  asio::steady_timer timer_;
  // Shared with timer handlers, which may run after this connection is gone (a timer that
  // expired is not stopped by cancel()): they act only while `owner` is set and the wait they
  // belong to is still the current one.
  struct WaitState {
    Connection* owner = nullptr;
    uint64_t generation = 0;
    bool timedOut = false;
  };
  std::shared_ptr<WaitState> wait_ = std::make_shared<WaitState>();
  int socketFd_ = -1;  // the fd socket_ wraps
  bool broken_ = false;
  bool pending_ = false;  // a statement's results are not fully read
  bool multiStatements_ = true;
  ConnectFlags flags_;
  Clock::time_point createdAt_;
  Clock::time_point lastUsed_;
  std::map<std::string, std::string> applied_;
  int socketTimeoutMs_ = 0;
  std::optional<Status> aborted_;  // why every wait now fails at once
  std::shared_ptr<ConnectionOwner> owner_;
};

}  // namespace shardproxy::backend
