#include "backend/connection.h"

#include <openssl/x509.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/log.h"

namespace shardproxy::backend {

namespace {
constexpr unsigned long kMaxAllowedPacket = 1024ul * 1024 * 1024;
}

void setTlsOptions(MYSQL* mysql, const config::DataSource& ds) {
  using config::SslMode;
  if (ds.sslMode == SslMode::kDisabled) return;
  // Asks for TLS whenever the server offers it (the library refuses a server without TLS
  // only when it verifies the host; checkTls() covers the rest).
  my_bool on = 1;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  bool verifyCa = ds.sslMode == SslMode::kVerifyCa || ds.sslMode == SslMode::kVerifyIdentity;
  if (verifyCa) {
    // With a CA (file or directory) the library checks the server's chain against it.
    if (!ds.sslCa.empty()) {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, ds.sslCa.c_str());
    } else {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_CAPATH, X509_get_default_cert_dir());
    }
  }
  // Set either way: newer libraries verify by default.
  my_bool verifyHost = ds.sslMode == SslMode::kVerifyIdentity;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verifyHost);
}

Status checkTls(MYSQL* mysql, const config::DataSource& ds) {
  if (ds.sslMode == config::SslMode::kDisabled || ds.sslMode == config::SslMode::kPreferred ||
      mysql_get_ssl_cipher(mysql) != nullptr) {
    return Status::ok();
  }
  return Status(er::kCrSslConnectionError, "HY000",
                "data source " + ds.name + ": sslMode=" + config::sslModeName(ds.sslMode) +
                    " but the server at " + ds.host + ":" + std::to_string(ds.port) +
                    " does not offer TLS");
}

Connection::Connection(asio::any_io_executor executor, std::string dataSourceName)
    : executor_(std::move(executor)),
      dataSourceName_(std::move(dataSourceName)),
      timer_(executor_),
      createdAt_(Clock::now()),
      lastUsed_(createdAt_) {
  wait_->owner = this;
}

Connection::~Connection() {
  wait_->owner = nullptr;
  closeHandle();
  // After the close, so that the slot passes on only once this connection is gone.
  if (owner_) owner_->closed(this);
}

void Connection::abort(const Status& why) {
  if (!aborted_) aborted_ = why;
  broken_ = true;
  // Wakes a wait in progress, which then reports a timeout to the library.
  wait_->timedOut = true;
  if (socket_) socket_->cancel();
}

void Connection::closeHandle() {
  if (fieldList_) {
    mysql_free_result(fieldList_);
    fieldList_ = nullptr;
  }
  int fd = mysql_ ? mysql_get_socket(mysql_) : -1;
  if (fd >= 0 && (result_ || pending_ || broken_)) {
    // The server may be in the middle of sending a result. Reads end here (so the library
    // does not drain it), and the close resets the connection instead of a FIN, so a server
    // blocked writing to us fails at once rather than after its write timeout.
    ::shutdown(fd, SHUT_RD);
    struct linger abortive = {1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  }
  if (result_) {
    mysql_free_result(result_);
    result_ = nullptr;
  }
  if (socket_) {
    socket_->release();
    socket_.reset();
    socketFd_ = -1;
  }
  if (mysql_) {
    mysql_close(mysql_);
    mysql_ = nullptr;
  }
}

Status Connection::lastError(std::string_view what) {
  if (aborted_) {
    broken_ = true;
    return *aborted_;
  }
  unsigned code = mysql_errno(mysql_);
  if (code >= 2000 && code < 3000) broken_ = true;  // client-side errors: connection is unusable
  // ER_CONNECTION_KILLED, ER_SERVER_SHUTDOWN: the server closes the connection after this.
  if (code == 1927 || code == 1053) broken_ = true;
  if (code == 0) {
    broken_ = true;
    return makeError(er::kCrServerLost,
                     std::string(what) + " failed on data source " + dataSourceName_);
  }
  if (broken_) {
    return Status(static_cast<uint16_t>(code), mysql_sqlstate(mysql_),
                  "data source " + dataSourceName_ + ": " + mysql_error(mysql_));
  }
  return Status(static_cast<uint16_t>(code), mysql_sqlstate(mysql_), mysql_error(mysql_));
}

awaitable<int> Connection::waitFor(int status, std::optional<Clock::time_point> deadline) {
  if (!aborted_ && owner_ && owner_->sourceDown()) abort(owner_->downStatus());
  if (aborted_) co_return MYSQL_WAIT_TIMEOUT;
  int fd = mysql_get_socket(mysql_);
  if (fd < 0) co_return MYSQL_WAIT_TIMEOUT;
  if (!socket_ || fd != socketFd_) {
    // The library may replace its socket while connecting (one per address tried).
    if (socket_) socket_->release();
    socket_ = std::make_unique<asio::posix::stream_descriptor>(executor_, fd);
    socketFd_ = fd;
  }
  std::optional<Clock::time_point> until = deadline;
  // Connector/J's socketTimeout: no single read waits longer (the caller's deadline, e.g. a
  // connect's, takes its place).
  bool socketDeadline = false;
  if (!until && socketTimeoutMs_ > 0) {
    until = Clock::now() + std::chrono::milliseconds(socketTimeoutMs_);
    socketDeadline = true;
  }
  if (status & MYSQL_WAIT_TIMEOUT) {
    auto libraryDeadline =
        Clock::now() + std::chrono::milliseconds(mysql_get_timeout_value_ms(mysql_));
    if (!until || libraryDeadline < *until) {
      until = libraryDeadline;
      socketDeadline = false;
    }
  }
  uint64_t generation = ++wait_->generation;
  wait_->timedOut = false;
  if (until) {
    if (*until <= Clock::now()) co_return MYSQL_WAIT_TIMEOUT;
    timer_.expires_at(*until);
    timer_.async_wait([state = wait_, generation](const boost::system::error_code& ec) {
      if (ec || !state->owner || generation != state->generation) return;
      state->timedOut = true;
      if (state->owner->socket_) state->owner->socket_->cancel();
    });
  }
  auto which = (status & MYSQL_WAIT_WRITE) ? asio::posix::descriptor_base::wait_write
                                           : asio::posix::descriptor_base::wait_read;
  boost::system::error_code ec;
  co_await socket_->async_wait(which, asio::redirect_error(use_awaitable, ec));
  ++wait_->generation;
  if (until) timer_.cancel();
  if (wait_->timedOut) {
    if (socketDeadline && !aborted_) {
      abort(Status(er::kCrServerLost, "HY000",
                   "data source " + dataSourceName_ + ": no answer within socketTimeout " +
                       std::to_string(socketTimeoutMs_) + " ms; Lost connection to server"));
      if (owner_) owner_->suspect();
    }
    co_return MYSQL_WAIT_TIMEOUT;
  }
  if (ec) co_return MYSQL_WAIT_EXCEPT;
  co_return (status & MYSQL_WAIT_WRITE) ? MYSQL_WAIT_WRITE : MYSQL_WAIT_READ;
}

awaitable<Status> Connection::connect(const config::DataSource& ds, ConnectFlags flags,
                                      std::optional<int> timeoutMs) {
  flags_ = flags;
  socketTimeoutMs_ = ds.socketTimeoutMs;
  // 0 means no limit, as in the drivers and HikariCP; the shorter of the two limits wins.
  int connectMs = ds.connectionTimeoutMs;
  if (ds.connectTimeoutMs > 0 && (connectMs == 0 || ds.connectTimeoutMs < connectMs)) {
    connectMs = ds.connectTimeoutMs;
  }
  if (timeoutMs) connectMs = *timeoutMs;
  mysql_ = mysql_init(nullptr);
  if (!mysql_) co_return makeError(er::kUnknownError, "out of memory creating a connection");
  mysql_options(mysql_, MYSQL_OPT_NONBLOCK, nullptr);
  mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // TCP even for "localhost", which the library would otherwise take as its default Unix
  // socket, ignoring the configured port.
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
  // Never let a backend ask for a file of the proxy's host (LOAD DATA LOCAL).
  unsigned localInfile = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_LOCAL_INFILE, &localInfile);
  unsigned timeoutSec = static_cast<unsigned>((connectMs + 999) / 1000);
  if (timeoutSec > 0) mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeoutSec);
  unsigned long maxPacket = kMaxAllowedPacket;
  mysql_optionsv(mysql_, MYSQL_OPT_MAX_ALLOWED_PACKET, &maxPacket);
  // Report session variable changes so the proxy can replay them on other connections.
  mysql_options(mysql_, MYSQL_INIT_COMMAND,
                "SET SESSION session_track_system_variables='*', "
                "session_track_state_change=ON");
  setTlsOptions(mysql_, ds);
  unsigned long clientFlags = CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS |
                              CLIENT_PS_MULTI_RESULTS | CLIENT_SESSION_TRACKING;
  if (flags.foundRows) clientFlags |= CLIENT_FOUND_ROWS;

  std::optional<Clock::time_point> deadline;
  if (connectMs > 0) deadline = Clock::now() + std::chrono::milliseconds(connectMs);
  MYSQL* ret = nullptr;
  const char* db = ds.database.empty() || flags.noDatabase ? nullptr : ds.database.c_str();
  int st = mysql_real_connect_start(&ret, mysql_, ds.host.c_str(), ds.username.c_str(),
                                    ds.password.c_str(), db, ds.port, nullptr, clientFlags);
  while (st != 0) {
    int ready = co_await waitFor(st, deadline);
    st = mysql_real_connect_cont(&ret, mysql_, ready);
  }
  if (!ret) {
    Status s;
    if (aborted_) {
      s = *aborted_;
    } else if (deadline && Clock::now() >= *deadline) {
      s = makeError(er::kCrConnHostError, "data source " + dataSourceName_ + ": can't connect to " +
                                              ds.host + ":" + std::to_string(ds.port) + " within " +
                                              std::to_string(connectMs) + " ms");
      if (owner_) owner_->suspect();
    } else {
      broken_ = true;
      s = Status(static_cast<uint16_t>(mysql_errno(mysql_)), mysql_sqlstate(mysql_),
                 "data source " + dataSourceName_ + ": " + mysql_error(mysql_));
    }
    broken_ = true;
    closeHandle();
    co_return s;
  }
  if (Status tls = checkTls(mysql_, ds); !tls) {
    broken_ = true;
    closeHandle();
    co_return tls;
  }
  multiStatements_ = true;
  createdAt_ = lastUsed_ = Clock::now();
  co_return Status::ok();
}

awaitable<Status> Connection::afterResultHeader(int err) {
  if (err) {
    pending_ = false;
    co_return lastError("query");
  }
  if (mysql_field_count(mysql_) > 0) {
    result_ = mysql_use_result(mysql_);
    if (!result_) co_return lastError("reading a result");
    fields_ = mysql_fetch_fields(result_);
  } else {
    pending_ = mysql_more_results(mysql_);
  }
  co_return Status::ok();
}

awaitable<Status> Connection::query(std::string_view sql) {
  touch();
  pending_ = true;
  int err = 0;
  int st = mysql_real_query_start(&err, mysql_, sql.data(), sql.size());
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_real_query_cont(&err, mysql_, ready);
  }
  co_return co_await afterResultHeader(err);
}

awaitable<Status> Connection::fetchRow(MYSQL_ROW& row) {
  row = nullptr;
  int st = mysql_fetch_row_start(&row, result_);
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_fetch_row_cont(&row, result_, ready);
  }
  if (row) co_return Status::ok();
  // An aborted read is never taken for the end of the rows, whatever the library says.
  Status s = aborted_ || mysql_errno(mysql_) ? lastError("fetching rows") : Status::ok();
  // End of this result set: release it so the next result (or statement) can be read.
  mysql_free_result(result_);
  result_ = nullptr;
  fields_ = nullptr;
  pending_ = s.isOk() && mysql_more_results(mysql_);
  co_return s;
}

OkInfo Connection::okInfo() const {
  OkInfo ok;
  my_ulonglong affected = mysql_affected_rows(mysql_);
  ok.affectedRows = affected == static_cast<my_ulonglong>(-1) ? 0 : affected;
  ok.lastInsertId = mysql_insert_id(mysql_);
  ok.statusFlags = serverStatus();
  ok.warnings = static_cast<uint16_t>(mysql_warning_count(mysql_));
  if (const char* info = mysql_info(mysql_)) ok.info = info;
  return ok;
}

uint16_t Connection::serverStatus() const {
  unsigned int status = 0;
  mariadb_get_infov(mysql_, MARIADB_CONNECTION_SERVER_STATUS, &status);
  return static_cast<uint16_t>(status);
}

awaitable<Status> Connection::nextResult() {
  int err = 0;
  int st = mysql_next_result_start(&err, mysql_);
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_next_result_cont(&err, mysql_, ready);
  }
  if (err > 0) {
    pending_ = false;
    co_return lastError("reading the next result");
  }
  co_return co_await afterResultHeader(0);
}

awaitable<Status> Connection::drain() {
  for (;;) {
    if (result_) {
      MYSQL_ROW row;
      do {
        Status s = co_await fetchRow(row);
        if (!s) co_return s;
      } while (row);
    }
    if (!mysql_more_results(mysql_)) break;
    Status s = co_await nextResult();
    if (!s) {
      // An error ends a multi-result response; the connection is clean unless it broke.
      if (broken_) co_return s;
      break;
    }
  }
  pending_ = false;
  co_return Status::ok();
}

awaitable<Status> Connection::listFields(const std::string& table, const std::string& wildcard) {
  if (fieldList_) {
    mysql_free_result(fieldList_);
    fieldList_ = nullptr;
  }
  touch();
  MYSQL_RES* res = nullptr;
  int st = mysql_list_fields_start(&res, mysql_, table.c_str(),
                                   wildcard.empty() ? nullptr : wildcard.c_str());
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_list_fields_cont(&res, mysql_, ready);
  }
  if (!res) co_return lastError("field list");
  fieldList_ = res;
  co_return Status::ok();
}

unsigned Connection::listedFieldCount() const {
  return fieldList_ ? mysql_num_fields(fieldList_) : 0;
}

const MYSQL_FIELD* Connection::listedFields() const {
  return fieldList_ ? mysql_fetch_fields(fieldList_) : nullptr;
}

awaitable<Result<Connection::Description>> Connection::describe(std::string_view sql) {
  touch();
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (!stmt) co_return makeError(er::kOutOfResources, "out of memory preparing a statement");
  int err = 0;
  int st = mysql_stmt_prepare_start(&err, stmt, sql.data(), sql.size());
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_stmt_prepare_cont(&err, stmt, ready);
  }
  Result<Description> out = Description{};
  if (err) {
    unsigned code = mysql_stmt_errno(stmt);
    if (code >= 2000 && code < 3000) {
      broken_ = true;
      out = Status(static_cast<uint16_t>(code), mysql_stmt_sqlstate(stmt),
                   "data source " + dataSourceName_ + ": " + mysql_stmt_error(stmt));
    } else {
      out = Status(static_cast<uint16_t>(code), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt));
    }
  } else {
    Description& d = out.value();
    d.params = static_cast<unsigned>(mysql_stmt_param_count(stmt));
    if (MYSQL_RES* meta = mysql_stmt_result_metadata(stmt)) {
      unsigned n = mysql_num_fields(meta);
      const MYSQL_FIELD* f = mysql_fetch_fields(meta);
      d.columns.reserve(n);
      for (unsigned i = 0; i < n; ++i) {
        protocol::ColumnDefinition c;
        auto text = [](const char* p, unsigned len) {
          return std::string(p ? p : "", p ? len : 0);
        };
        if (f[i].catalog) c.catalog = text(f[i].catalog, f[i].catalog_length);
        c.schema = text(f[i].db, f[i].db_length);
        c.table = text(f[i].table, f[i].table_length);
        c.orgTable = text(f[i].org_table, f[i].org_table_length);
        c.name = text(f[i].name, f[i].name_length);
        c.orgName = text(f[i].org_name, f[i].org_name_length);
        c.collation = static_cast<uint16_t>(f[i].charsetnr);
        c.length = static_cast<uint32_t>(f[i].length);
        c.type = static_cast<protocol::ColumnType>(f[i].type);
        c.flags = serverFlags(f[i]);
        c.decimals = static_cast<uint8_t>(f[i].decimals);
        d.columns.push_back(std::move(c));
      }
      mysql_free_result(meta);
    }
  }
  // COM_STMT_CLOSE has no answer; the library only writes it.
  my_bool closeErr = 0;
  st = mysql_stmt_close_start(&closeErr, stmt);
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_stmt_close_cont(&closeErr, stmt, ready);
  }
  if (closeErr) broken_ = true;
  co_return out;
}

awaitable<Status> Connection::ping(std::optional<Clock::time_point> deadline) {
  int err = 0;
  int st = mysql_ping_start(&err, mysql_);
  while (st != 0) {
    int ready = co_await waitFor(st, deadline);
    st = mysql_ping_cont(&err, mysql_, ready);
  }
  if (err && deadline && Clock::now() >= *deadline) {
    broken_ = true;
    co_return makeError(er::kCrServerLost, "no answer to a ping in time");
  }
  if (err) co_return lastError("ping");
  co_return Status::ok();
}

awaitable<Status> Connection::setMultiStatements(bool on) {
  if (on == multiStatements_) co_return Status::ok();
  int err = 0;
  auto option = on ? MYSQL_OPTION_MULTI_STATEMENTS_ON : MYSQL_OPTION_MULTI_STATEMENTS_OFF;
  int st = mysql_set_server_option_start(&err, mysql_, option);
  while (st != 0) {
    int ready = co_await waitFor(st);
    st = mysql_set_server_option_cont(&err, mysql_, ready);
  }
  if (err) co_return lastError("set option");
  multiStatements_ = on;
  co_return Status::ok();
}

awaitable<Status> Connection::execute(std::string_view sql) {
  Status s = co_await query(sql);
  if (!s) co_return s;
  co_return co_await drain();
}

std::map<std::string, std::string> Connection::takeChangedVariables() {
  std::map<std::string, std::string> changed;
  const char* data = nullptr;
  size_t len = 0;
  if (mysql_session_track_get_first(mysql_, SESSION_TRACK_SYSTEM_VARIABLES, &data, &len) != 0) {
    return changed;
  }
  // Entries come as name, value, name, value ...
  for (;;) {
    std::string name(data, len);
    if (mysql_session_track_get_next(mysql_, SESSION_TRACK_SYSTEM_VARIABLES, &data, &len) != 0) {
      break;
    }
    changed[name] = std::string(data, len);
    if (mysql_session_track_get_next(mysql_, SESSION_TRACK_SYSTEM_VARIABLES, &data, &len) != 0) {
      break;
    }
  }
  return changed;
}

bool Connection::sessionStateChanged() const {
  return serverStatus() & SERVER_SESSION_STATE_CHANGED;
}

std::string Connection::escape(std::string_view s) const {
  std::string out(s.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, out.data(), s.data(), s.size());
  out.resize(n);
  return out;
}

bool Connection::looksAlive() const {
  if (!mysql_ || broken_) return false;
  int fd = mysql_get_socket(mysql_);
  if (fd < 0) return false;
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  return false;  // 0: closed by the server; >0: unsolicited data (e.g. a shutdown error)
}

std::string Connection::serverVersion() const {
  return mysql_ ? mysql_get_server_info(mysql_) : "";
}

}  // namespace shardproxy::backend
