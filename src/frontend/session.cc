#include "frontend/session.h"

#include <cstdio>

#include "common/like.h"
#include "common/log.h"
#include "frontend/authenticator.h"
#include "protocol/auth.h"
#include "protocol/charset.h"
#include "protocol/column_definition.h"
#include "protocol/command.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;
namespace pstatus = protocol::status;
using protocol::Command;

namespace {

constexpr uint32_t kServerCapabilities =
    cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb | cap::kNoSchema |
    cap::kOdbc | cap::kIgnoreSpace | cap::kProtocol41 | cap::kInteractive | cap::kIgnoreSigpipe |
    cap::kTransactions | cap::kReserved | cap::kSecureConnection | cap::kMultiStatements |
    cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth | cap::kConnectAttrs |
    cap::kPluginAuthLenencData | cap::kCanHandleExpiredPasswords | cap::kDeprecateEof;

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);  // MySQL's connect_timeout

// Connections without a default database are held apart from the database's own.
std::pair<std::string, std::string> heldKey(const auto& target) {
  return {target.noDatabase ? std::string() : target.database->name, target.dataSource->name};
}

// Flags the client may see: session tracking is not offered to clients.
uint16_t clientVisible(uint16_t backendStatus) {
  return backendStatus & static_cast<uint16_t>(~pstatus::kSessionStateChanged);
}

}  // namespace

Session::Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket)
    : worker_(worker),
      context_(worker.context()),
      topology_(context_.topology),
      socket_(std::move(socket)),
      io_(socket_, context_.options.maxAllowedPacket),
      peerHost_(std::move(peerHost)),
      unixSocket_(unixSocket),
      connectionId_(context_.nextConnectionId.fetch_add(1)) {
  worker_.add(this);
}

Session::~Session() {
  *self_ = nullptr;
  context_.sessions.remove(connectionId_);
  // Held connections carry this session's transaction or state: they are closed, which also
  // rolls back an open transaction, never handed to another client.
  for (auto& [key, held] : held_) held.pool->discard(std::move(held.conn));
  worker_.remove(this);
  context_.connections.fetch_sub(1);
}

void Session::requestStop() {
  stopRequested_ = true;
  if (idle_) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

awaitable<void> Session::run() {
  // The handshake must finish within kHandshakeTimeout, and shutdown may cut it short.
  idle_ = true;
  asio::steady_timer handshakeTimer(socket_.get_executor(), kHandshakeTimeout);
  handshakeTimer.async_wait([self = self_](const boost::system::error_code& ec) {
    if (ec || !*self) return;
    boost::system::error_code ignored;
    (*self)->socket_.cancel(ignored);
  });
  bool authenticated = co_await authenticate();
  Status flushed = co_await io_.flush();
  handshakeTimer.cancel();
  *self_ = nullptr;  // the timer must not cancel reads from now on
  self_ = std::make_shared<Session*>(this);
  idle_ = false;
  if (!authenticated || !flushed || stopRequested_) co_return;
  while (!stopRequested_) {
    io_.resetSequence();
    idle_ = true;
    auto packet = co_await io_.read();
    idle_ = false;
    if (!packet) {
      if (packet.status().code() == er::kNetPacketTooLarge ||
          packet.status().code() == er::kNetPacketsOutOfOrder) {
        writeError(packet.status());
        (co_await io_.flush()).ignoreError();
      }
      break;
    }
    bool keepGoing = co_await dispatch(*packet);
    Status flushed = co_await io_.flush();
    if (!keepGoing || !flushed) break;
  }
  boost::system::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
}

std::string Session::userAtHost() const {
  return user_ ? user_->name + "@" + user_->host : std::string();
}

uint16_t Session::statusFlags() const {
  uint16_t flags = pstatus::kAutocommit;
  for (const auto& [key, held] : held_) {
    uint16_t s = held.conn->serverStatus();
    if (s & pstatus::kInTrans) flags |= pstatus::kInTrans;
    if (!(s & pstatus::kAutocommit)) flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  auto it = variables_.values.find("autocommit");
  if (it != variables_.values.end() && it->second == "OFF") {
    flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  return flags;
}

awaitable<bool> Session::authenticate() {
  std::string scramble = protocol::makeScramble();
  protocol::ServerGreeting greeting;
  greeting.serverVersion = context_.serverVersion;
  greeting.connectionId = connectionId_;
  greeting.scramble = scramble;
  greeting.capabilities = kServerCapabilities;
  greeting.collation = protocol::kUtf8mb4GeneralCi;
  greeting.statusFlags = pstatus::kAutocommit;
  greeting.authPlugin = protocol::kNativePasswordPlugin;
  io_.write(protocol::encodeGreeting(greeting));
  if (!co_await io_.flush()) co_return false;

  auto packet = co_await io_.read();
  if (!packet) co_return false;
  auto decoded = protocol::decodeHandshakeResponse(*packet);
  if (!decoded || decoded->sslRequest) {
    writeError(Status(er::kHandshake, "08S01", "Bad handshake"));
    co_return false;
  }
  protocol::HandshakeResponse& hello = decoded->response;
  capabilities_ = hello.capabilities & kServerCapabilities;
  collation_ = hello.collation;
  std::string host = unixSocket_ ? "localhost" : peerHost_;

  const config::User* user = topology_->authority.findUser(hello.user, host);
  std::string clientPlugin = (hello.capabilities & cap::kPluginAuth)
                                 ? hello.authPlugin
                                 : std::string(protocol::kNativePasswordPlugin);
  if (clientPlugin.empty()) clientPlugin = protocol::kNativePasswordPlugin;
  AuthPlugin plugin =
      choosePlugin(user ? topology_->authority.authPluginFor(*user) : std::string(), clientPlugin);
  std::string response = hello.authResponse;
  // A client that starts with another plugin than the greeting's may send no data at all and
  // wait to be asked (libmariadb does): ask, as MySQL does on a plugin mismatch.
  bool mustAsk = clientPlugin != pluginName(plugin) ||
                 (clientPlugin != greeting.authPlugin && response.empty() && user &&
                  !user->password.empty());
  if (mustAsk && (hello.capabilities & cap::kPluginAuth)) {
    io_.write(protocol::encodeAuthSwitchRequest(pluginName(plugin), scramble));
    if (!co_await io_.flush()) co_return false;
    auto reply = co_await io_.read();
    if (!reply) co_return false;
    response = *reply;
  }

  bool ok = false;
  if (user && plugin == AuthPlugin::kNativePassword) {
    ok = protocol::checkNativePassword(response, user->password, scramble);
  } else if (user && plugin == AuthPlugin::kCachingSha2) {
    if (protocol::checkCachingSha2(response, user->password, scramble)) {
      ok = true;
      if (!user->password.empty()) {
        io_.write(protocol::encodeAuthMoreData(std::string(1, protocol::kCachingSha2FastAuthOk)));
      }
    } else if (!response.empty()) {
      // The fast path failed: ask for the password itself, as MySQL does on a cache miss.
      io_.write(protocol::encodeAuthMoreData(std::string(1, protocol::kCachingSha2FullAuth)));
      if (!co_await io_.flush()) co_return false;
      auto reply = co_await io_.read();
      if (!reply) co_return false;
      std::string password;
      if (*reply == std::string_view(&protocol::kCachingSha2PublicKeyRequest, 1) &&
          context_.rsaKey) {
        io_.write(protocol::encodeAuthMoreData(context_.rsaKey->publicKeyPem()));
        if (!co_await io_.flush()) co_return false;
        auto cipher = co_await io_.read();
        if (!cipher) co_return false;
        if (auto plain = context_.rsaKey->decrypt(*cipher)) {
          password = protocol::unscramblePassword(*plain, scramble);
          ok = password == user->password;
        }
      } else if (unixSocket_) {
        // A Unix socket is a secure transport: the client may send the password as is.
        std::string_view plain = *reply;
        if (!plain.empty() && plain.back() == '\0') plain.remove_suffix(1);
        ok = plain == user->password;
      }
    }
  }
  if (!ok) {
    writeError(accessDenied(hello.user, host, !hello.authResponse.empty() || !response.empty()));
    co_return false;
  }
  user_ = user;
  context_.sessions.add(connectionId_, {&worker_, this, user_->name});
  if (!hello.database.empty()) {
    Status s = useDatabase(hello.database);
    if (!s) {
      writeError(s);
      co_return false;
    }
  }
  variables_.values = charsetVariables(collation_);
  multiStatements_ = capabilities_ & cap::kMultiStatements;
  writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
  co_return true;
}

Status Session::useDatabase(const std::string& name) {
  if (!topology_->authority.mayAccess(*user_, name)) {
    return databaseAccessDenied(user_->name, user_->host, name);
  }
  if (!topology_->findDatabase(name)) return unknownDatabase(name);
  database_ = name;
  return Status::ok();
}

awaitable<bool> Session::dispatch(std::string_view payload) {
  auto command = protocol::decodeCommand(payload);
  if (!command) {
    // An empty packet is read as COM_SLEEP, which clients may not send.
    writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
    co_return true;
  }
  switch (command->command) {
    case Command::kQuit:
      co_return false;
    case Command::kPing:
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      break;
    case Command::kInitDb: {
      Status s = useDatabase(std::string(protocol::initDbSchema(*command)));
      if (s) {
        writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      } else {
        writeError(s);
      }
      break;
    }
    case Command::kQuery:
      context_.questions.fetch_add(1, std::memory_order_relaxed);
      co_await handleQuery(protocol::queryText(*command));
      break;
    case Command::kFieldList: {
      auto fl = protocol::decodeFieldList(*command);
      if (!fl) {
        writeError(Status(er::kMalformedPacket, "HY000", "Malformed communication packet."));
        break;
      }
      co_await handleFieldList(fl->table, fl->wildcard);
      break;
    }
    case Command::kSetOption: {
      auto option = protocol::decodeSetOption(*command);
      if (!option || *option > 1) {
        writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
        break;
      }
      multiStatements_ = *option == 0;
      writeEnd(statusFlags(), 0);
      break;
    }
    case Command::kResetConnection:
      resetConnection();
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      break;
    case Command::kStatistics:
      statistics();
      break;
    case Command::kStmtPrepare:
      writeError(Status(er::kUnsupportedPs, "HY000",
                        "This command is not supported in the prepared statement protocol yet"));
      break;
    case Command::kStmtClose:
    case Command::kStmtSendLongData:
      break;  // these commands have no reply
    default:
      writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
      break;
  }
  co_return true;
}

awaitable<void> Session::handleQuery(std::string_view sql) {
  if (topology_->props.sqlShow) spdlog::info("Logic SQL: {}", sql);
  Recognized rec = recognize(sql);
  switch (rec.kind) {
    case Recognized::Kind::kUse: {
      Status s = useDatabase(rec.database);
      if (s) {
        writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      } else {
        writeError(s);
      }
      co_return;
    }
    case Recognized::Kind::kShowDatabases:
      showDatabases(rec);
      co_return;
    case Recognized::Kind::kShowTables:
      co_await showTables(rec);
      co_return;
    case Recognized::Kind::kSelectDatabase:
      selectDatabase(rec);
      co_return;
    case Recognized::Kind::kKill:
      kill(rec);
      co_return;
    default:
      co_await passThrough(sql, rec);
  }
}

Result<Session::Target> Session::route() {
  Target t;
  if (database_.empty()) {
    // Statements outside any database (SELECT 1, SELECT @@version ...) go to the first
    // database the user may use.
    for (const auto& [name, db] : topology_->databases) {
      if (topology_->authority.mayAccess(*user_, name) && db.defaultDataSource()) {
        t.database = &db;
        break;
      }
    }
    if (!t.database) return Status(er::kNoDb, "3D000", "No database selected");
    t.noDatabase = true;
  } else {
    t.database = topology_->findDatabase(database_);
    if (!t.database) return unknownDatabase(database_);
  }
  t.dataSource = t.database->defaultDataSource();
  if (!t.dataSource) {
    return makeError(er::kUnknownError,
                     "database '" + t.database->name + "' has no data source configured");
  }
  return t;
}

awaitable<Result<HeldConnection>> Session::acquire(const Target& target) {
  auto key = heldKey(target);
  HeldConnection held;
  for (const auto& [otherKey, other] : held_) {
    if (otherKey != key && (other.conn->serverStatus() & pstatus::kInTrans)) {
      co_return Status(er::kNotSupportedYet, "42000",
                       "unsupported: a transaction cannot span databases or data sources; "
                       "COMMIT or ROLLBACK it first");
    }
  }
  auto it = held_.find(key);
  if (it != held_.end()) {
    held = std::move(it->second);
    held_.erase(it);
    held.pinned = true;
  } else {
    backend::ConnectFlags flags{(capabilities_ & cap::kFoundRows) != 0, target.noDatabase};
    backend::Pool& pool = worker_.pools().pool(target.database->name, *target.dataSource, flags);
    auto conn = co_await pool.acquire(lastConnection_);
    if (!conn) co_return conn.status();
    held.pool = &pool;
    held.conn = std::move(conn.value());
  }
  Status s = co_await held.conn->setMultiStatements(multiStatements_);
  if (s) {
    bool noBackslashEscapes = held.conn->serverStatus() & pstatus::kNoBackslashEscapes;
    std::string sync = variables_.syncStatement(held.conn->appliedVariables(), noBackslashEscapes);
    if (!sync.empty()) {
      if (topology_->props.sqlShow) {
        spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sync);
      }
      s = co_await held.conn->execute(sync);
      if (s) held.conn->appliedVariables() = variables_.values;
    }
  }
  if (!s) {
    held.pool->discard(std::move(held.conn));
    co_return s;
  }
  co_return std::move(held);
}

void Session::finish(const Target& target, HeldConnection held, bool sticky) {
  backend::Connection& conn = *held.conn;
  lastConnection_ = &conn;
  if (conn.broken() || !conn.idleClean()) {
    // A connection that carried this client's transaction or state is gone: as with a server
    // that went away, the client loses its connection rather than go on without that state.
    if (conn.broken() && (held.pinned || held.sticky)) stopRequested_ = true;
    lastConnection_ = nullptr;
    held.pool->release(std::move(held.conn));
    return;
  }
  uint16_t s = conn.serverStatus();
  bool inTransaction = (s & pstatus::kInTrans) || !(s & pstatus::kAutocommit);
  held.sticky = held.sticky || sticky;
  if (held.sticky || inTransaction) {
    held_[heldKey(target)] = std::move(held);
  } else {
    held.pool->release(std::move(held.conn));
  }
}

awaitable<std::optional<HeldConnection>> Session::acquireOrReport(const Target& target) {
  auto held = co_await acquire(target);
  if (!held) {
    writeError(held.status());
    co_return std::nullopt;
  }
  co_return std::move(held.value());
}

awaitable<void> Session::passThrough(std::string_view sql, const Recognized& rec) {
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  auto held = co_await acquireOrReport(*target);
  if (!held) co_return;
  backend::Connection& conn = *held->conn;
  std::optional<std::string> substituted =
      substituteSessionFunctions(sql, database_, connectionId_);
  if (substituted) sql = *substituted;
  if (topology_->props.sqlShow) {
    spdlog::info("Actual SQL: {} ::: {}", target->dataSource->name, sql);
  }
  running_ = Running{target->database->name, target->dataSource, conn.threadId()};
  Status s = co_await conn.query(sql);
  bool stateChanged = false;
  if (!s) {
    writeError(s);
  } else {
    s = co_await relayResults(conn, *target, nullptr, true, stateChanged);
  }
  running_.reset();
  bool sticky = rec.sessionEffects ||
                (stateChanged && rec.kind != Recognized::Kind::kSetVariables);
  finish(*target, std::move(*held), sticky);
}

protocol::ColumnDefinitionRef Session::columnDefinition(const MYSQL_FIELD& f,
                                                        const Target& target) {
  protocol::ColumnDefinitionRef c;
  c.catalog = f.catalog ? std::string_view(f.catalog, f.catalog_length) : "def";
  c.schema = std::string_view(f.db ? f.db : "", f.db_length);
  // Clients see the logical database, not the data source's actual one.
  if (!c.schema.empty() && c.schema == target.dataSource->database) {
    c.schema = target.database->name;
  }
  c.table = std::string_view(f.table ? f.table : "", f.table_length);
  c.orgTable = std::string_view(f.org_table ? f.org_table : "", f.org_table_length);
  c.name = std::string_view(f.name ? f.name : "", f.name_length);
  c.orgName = std::string_view(f.org_name ? f.org_name : "", f.org_name_length);
  c.collation = static_cast<uint16_t>(f.charsetnr);
  c.length = static_cast<uint32_t>(f.length);
  c.type = static_cast<protocol::ColumnType>(f.type);
  c.flags = backend::serverFlags(f);
  c.decimals = static_cast<uint8_t>(f.decimals);
  return c;
}

void Session::writeColumnDefinitions(const backend::Connection& conn, const Target& target,
                                     const std::map<std::string, std::string>* renameColumns) {
  unsigned count = conn.fieldCount();
  const MYSQL_FIELD* fields = conn.fields();
  protocol::encodeColumnCount(io_.begin(), count);
  io_.end();
  for (unsigned i = 0; i < count; ++i) {
    protocol::ColumnDefinitionRef c = columnDefinition(fields[i], target);
    if (renameColumns) {
      auto it = renameColumns->find(std::string(c.name));
      if (it != renameColumns->end()) c.name = it->second;
    }
    protocol::encodeColumnDefinition(io_.begin(), c);
    io_.end();
  }
}

awaitable<Status> Session::relayResults(backend::Connection& conn, const Target& target,
                                        const std::map<std::string, std::string>* renameColumns,
                                        bool trackVariables, bool& stateChanged) {
  const size_t flushRows =
      static_cast<size_t>(std::max(1, topology_->props.proxyFrontendFlushThreshold));
  for (;;) {
    if (conn.fieldCount() > 0) {
      writeColumnDefinitions(conn, target, renameColumns);
      if (!(capabilities_ & cap::kDeprecateEof)) {
        protocol::encodeEof(io_.begin(), protocol::EofPacket{0, clientVisible(conn.serverStatus())});
        io_.end();
      }
      const unsigned columns = conn.fieldCount();
      size_t rows = 0;
      for (;;) {
        MYSQL_ROW row;
        Status s = co_await conn.fetchRow(row);
        if (!s) {
          writeError(s);
          co_return s;
        }
        if (!row) break;
        const unsigned long* lengths = conn.rowLengths();
        std::string& out = io_.begin();
        for (unsigned i = 0; i < columns; ++i) {
          if (row[i]) {
            protocol::appendTextValue(out, std::string_view(row[i], lengths[i]));
          } else {
            protocol::appendTextNull(out);
          }
        }
        io_.end();
        if (++rows >= flushRows || io_.buffered() >= kFlushBytes) {
          rows = 0;
          Status f = co_await io_.flush();
          if (!f) co_return f;
        }
      }
      auto ok = conn.okInfo();
      writeEnd(clientVisible(ok.statusFlags), ok.warnings);
    } else {
      backend::OkInfo ok = conn.okInfo();
      if (trackVariables && (ok.statusFlags & pstatus::kSessionStateChanged)) {
        stateChanged = true;
        for (auto& [name, value] : conn.takeChangedVariables()) {
          conn.appliedVariables()[name] = value;
          // One-shot variables apply to the next statement only: never replayed.
          if (name == "insert_id" || name == "rand_seed1" || name == "rand_seed2") continue;
          variables_.values[name] = value;
        }
      }
      writeOk(protocol::OkPacket{ok.affectedRows, ok.lastInsertId, clientVisible(ok.statusFlags),
                                 ok.warnings, std::move(ok.info)});
    }
    if (!conn.moreResults()) break;
    Status s = co_await conn.nextResult();
    if (!s) {
      writeError(s);
      co_return s;
    }
  }
  co_return Status::ok();
}

void Session::showDatabases(const Recognized& rec) {
  std::string header = "Database";
  if (rec.hasLike) header += " (" + rec.likePattern + ")";
  protocol::encodeColumnCount(io_.begin(), 1);
  io_.end();
  protocol::ColumnDefinitionRef c;
  c.schema = "information_schema";
  c.table = "SCHEMATA";
  c.orgTable = "SCHEMATA";
  c.name = header;
  c.orgName = "SCHEMA_NAME";
  c.collation = protocol::kUtf8mb4GeneralCi;
  c.length = 256;
  c.type = protocol::ColumnType::kVarString;
  c.flags = protocol::colflag::kNotNull | protocol::colflag::kNoDefaultValue;
  protocol::encodeColumnDefinition(io_.begin(), c);
  io_.end();
  if (!(capabilities_ & cap::kDeprecateEof)) {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{0, statusFlags()});
    io_.end();
  }
  for (const auto& [name, db] : topology_->databases) {
    if (!topology_->authority.mayAccess(*user_, name)) continue;
    if (rec.hasLike && !likeMatch(name, rec.likePattern, true)) continue;
    std::string& out = io_.begin();
    protocol::appendTextValue(out, name);
    io_.end();
  }
  writeEnd(statusFlags(), 0);
}

void Session::selectDatabase(const Recognized& rec) {
  protocol::encodeColumnCount(io_.begin(), 1);
  io_.end();
  protocol::ColumnDefinitionRef c;
  c.name = rec.columnName;
  c.collation = protocol::kUtf8mb4GeneralCi;
  c.length = 256;
  c.type = protocol::ColumnType::kVarString;
  c.decimals = 39;  // "not a fixed number of decimals", as the server marks string functions
  protocol::encodeColumnDefinition(io_.begin(), c);
  io_.end();
  if (!(capabilities_ & cap::kDeprecateEof)) {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{0, statusFlags()});
    io_.end();
  }
  std::string& out = io_.begin();
  if (database_.empty()) {
    protocol::appendTextNull(out);
  } else {
    protocol::appendTextValue(out, database_);
  }
  io_.end();
  writeEnd(statusFlags(), 0);
}

awaitable<void> Session::showTables(const Recognized& rec) {
  std::string logical = rec.database.empty() ? database_ : rec.database;
  if (logical.empty()) {
    writeError(Status(er::kNoDb, "3D000", "No database selected"));
    co_return;
  }
  if (!topology_->authority.mayAccess(*user_, logical)) {
    writeError(databaseAccessDenied(user_->name, user_->host, logical));
    co_return;
  }
  const config::LogicalDatabase* db = topology_->findDatabase(logical);
  if (!db) {
    writeError(unknownDatabase(logical));
    co_return;
  }
  Target target{db, db->defaultDataSource()};
  if (!target.dataSource) {
    writeError(makeError(er::kUnknownError, "database '" + logical + "' has no data source"));
    co_return;
  }
  std::string sql = rec.full ? "SHOW FULL TABLES" : "SHOW TABLES";
  if (!rec.tail.empty()) {
    // A WHERE clause names the column after the logical database; the backend's is named
    // after the actual one.
    std::string tail = rec.tail;
    std::string logicalColumn = "Tables_in_" + logical;
    std::string actualColumn = "Tables_in_" + target.dataSource->database;
    for (size_t at = tail.find(logicalColumn); at != std::string::npos;
         at = tail.find(logicalColumn, at + actualColumn.size())) {
      tail.replace(at, logicalColumn.size(), actualColumn);
    }
    sql += " " + tail;
  }
  auto held = co_await acquireOrReport(target);
  if (!held) co_return;
  if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sql);
  backend::Connection& conn = *held->conn;
  Status s = co_await conn.query(sql);
  bool stateChanged = false;
  if (!s) {
    writeError(s);
  } else {
    // The header names the database: Tables_in_<actual> becomes Tables_in_<logical>.
    std::string suffix = rec.hasLike ? " (" + rec.likePattern + ")" : "";
    std::map<std::string, std::string> rename{
        {"Tables_in_" + target.dataSource->database + suffix, "Tables_in_" + logical + suffix}};
    s = co_await relayResults(conn, target, &rename, false, stateChanged);
  }
  finish(target, std::move(*held), false);
}

awaitable<void> Session::handleFieldList(std::string_view table, std::string_view wildcard) {
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  auto held = co_await acquireOrReport(*target);
  if (!held) co_return;
  backend::Connection& conn = *held->conn;
  Status s = co_await conn.listFields(std::string(table), std::string(wildcard));
  if (s) {
    unsigned count = conn.listedFieldCount();
    const MYSQL_FIELD* fields = conn.listedFields();
    for (unsigned i = 0; i < count; ++i) {
      const MYSQL_FIELD& f = fields[i];
      protocol::ColumnDefinitionRef c = columnDefinition(f, *target);
      if (f.def) {
        c.defaultValue = std::string_view(f.def, f.def_length);
      } else {
        c.nullDefault = true;
      }
      protocol::encodeColumnDefinition(io_.begin(), c);
      io_.end();
    }
    writeEnd(statusFlags(), 0);
  } else {
    writeError(s);
  }
  finish(*target, std::move(*held), false);
}

void Session::kill(const Recognized& rec) {
  // Ids are the proxy's connection ids (the greeting's, CONNECTION_ID()); a backend's thread
  // ids mean nothing to clients.
  if (rec.killId == connectionId_) {
    if (rec.killQuery) {
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
    } else {
      stopRequested_ = true;  // the client sees its connection go, as with MySQL
    }
    return;
  }
  auto target = context_.sessions.find(static_cast<uint32_t>(rec.killId));
  if (!target) {
    writeError(Status(1094, "HY000", "Unknown thread id: " + std::to_string(rec.killId)));
    return;
  }
  if (!user_->admin && target->user != user_->name) {
    writeError(Status(1095, "HY000",
                      "You are not owner of thread " + std::to_string(rec.killId)));
    return;
  }
  // The target lives on its own worker: it is looked up again there, where it cannot go away
  // while being told.
  uint32_t id = static_cast<uint32_t>(rec.killId);
  bool connection = !rec.killQuery;
  ServerContext& context = context_;
  asio::post(target->worker->io(), [&context, id, connection, session = target->session] {
    auto again = context.sessions.find(id);
    if (again && again->session == session) session->killedBy(connection);
  });
  writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
}

void Session::killedBy(bool connection) {
  if (connection) requestStop();
  if (!running_) return;
  // The backend stops the statement when asked on another connection to the same server.
  Running r = *running_;
  backend::Pool& pool = worker_.pools().pool(r.database, *r.dataSource, {});
  asio::co_spawn(
      worker_.io(),
      [&pool, threadId = r.threadId]() -> awaitable<void> {
        auto conn = co_await pool.acquire();
        if (!conn) co_return;
        Status s = co_await conn.value()->execute("KILL QUERY " + std::to_string(threadId));
        if (!s) spdlog::warn("KILL QUERY on the backend failed: {}", s.toString());
        pool.release(std::move(conn.value()));
      },
      asio::detached);
}

void Session::statistics() {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - context_.startedAt)
                    .count();
  uint64_t questions = context_.questions.load(std::memory_order_relaxed);
  double qps = uptime > 0 ? static_cast<double>(questions) / static_cast<double>(uptime) : 0.0;
  char text[256];
  std::snprintf(text, sizeof text,
                "Uptime: %lld  Threads: %d  Questions: %llu  Slow queries: 0  Opens: 0  "
                "Open tables: 0  Queries per second avg: %.3f",
                static_cast<long long>(uptime), context_.connections.load(),
                static_cast<unsigned long long>(questions), qps);
  io_.write(text);
}

void Session::resetConnection() {
  for (auto& [key, held] : held_) held.pool->discard(std::move(held.conn));
  held_.clear();
  variables_.values = charsetVariables(collation_);
}

void Session::writeOk(const protocol::OkPacket& ok) {
  protocol::encodeOk(io_.begin(), ok);
  io_.end();
}

void Session::writeError(const Status& s) {
  protocol::encodeErr(io_.begin(), protocol::ErrPacket{s.code(), s.sqlState(), s.message()});
  io_.end();
}

void Session::writeEnd(uint16_t statusFlags, uint16_t warnings) {
  if (capabilities_ & cap::kDeprecateEof) {
    protocol::encodeOk(io_.begin(), protocol::OkPacket{0, 0, statusFlags, warnings, {}}, true);
  } else {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{warnings, statusFlags});
  }
  io_.end();
}

}  // namespace shardproxy::frontend
