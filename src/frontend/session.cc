#include "frontend/session.h"

#include <malloc.h>

#include "admin/admin.h"
#include "binder/binder.h"
#include "common/log.h"
#include "common/run_on.h"
#include "executor/engine.h"
#include "protocol/column_definition.h"
#include "protocol/command.h"
#include "protocol/constants.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;
namespace pstatus = protocol::status;
using protocol::Command;

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);  // MySQL's connect_timeout
// How much of a statement SHOW FULL PROCESSLIST shows (MySQL keeps the whole; a bound keeps a
// huge statement from being copied).
constexpr size_t kProcesslistInfoBytes = 64 * 1024;
// A statement longer than this that misses the worker's statement cache is parsed off the
// worker: ANTLR may take tens of milliseconds per kilobyte on some shapes (a kilobyte of
// `+ INTERVAL 1 DAY` takes 80 ms, four take 400).
constexpr size_t kParseOnWorkerBytes = 1024;
// After a statement this large, freed memory is returned to the system (malloc_trim).
constexpr size_t kTrimAfterBytes = 1024 * 1024;

}  // namespace

Session::Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket,
                 bool reserved)
    : Session(worker, std::move(socket), std::move(peerHost), unixSocket, reserved,
              worker.context().services()) {}

Session::Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket,
                 bool reserved, std::shared_ptr<executor::Services> services)
    : worker_(worker),
      context_(worker.context()),
      topology_(services->topology),
      socket_(std::move(socket)),
      // Until the client has logged in, no packet may be larger than a handshake needs.
      io_(socket_, static_cast<size_t>(topology_->props.proxyFrontendMaxHandshakePacketSize)),
      peerHost_(std::move(peerHost)),
      unixSocket_(unixSocket),
      reserved_(reserved),
      connectionId_(context_.state.newConnectionId()),
      shard_(worker.backends(), std::move(services), connectionId_),
      watchdog_(worker.io()),
      statementTimer_(worker.io()) {
  worker_.add(this);
}

Session::~Session() {
  *self_ = nullptr;
  context_.state.sessions.remove(connectionId_);
  // Held connections carry this session's transaction or state: they are closed (rolling back
  // what is open) before the worker may close its pools.
  shard_.reset({});
  worker_.remove(this);
  context_.state.connections.fetch_sub(1);
}

void Session::requestStop() {
  stopRequested_ = true;
  if (holdBackTimer_) holdBackTimer_->cancel();
  if (idle_) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

void Session::adoptConfiguration() {
  if (context_.generation.load(std::memory_order_acquire) == shard_.services().generation) return;
  if (!shard_.mayAdopt() || !shard_.user) return;
  std::shared_ptr<executor::Services> next = context_.services();
  // The session's account as the new configuration has it (its password may have changed: the
  // session logged in already). An account the new configuration lacks keeps the session on the
  // configuration it logged in with, as MySQL keeps a dropped account's sessions running.
  const config::User* user = nullptr;
  for (const config::User& u : next->topology->authority.users) {
    if (u.name == shard_.user->name && u.host == shard_.user->host) user = &u;
  }
  if (!user) return;
  shard_.adopt(next, user);
  topology_ = next->topology;
}

void Session::drain() {
  draining_ = true;
  if (idle_ && !holdsOpenWork()) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

bool Session::holdsOpenWork() const {
  return (shard_.statusFlags() & pstatus::kInTrans) || shard_.tablesLocked();
}

void Session::killedBy(bool connection) {
  if (connection) requestStop();
  shard_.killRunning();
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
  checkTimeouts();  // the watchdog of the client connection's timeouts, from now on
  while (!stopRequested_ && !shard_.mustClose() && !(draining_ && !holdsOpenWork())) {
    io_.resetSequence();
    idleStarts();
    auto packet = co_await io_.read();
    idle_ = false;
    if (!packet) {
      if (timedOut_) break;
      if (packet.status().code() == er::kNetPacketTooLarge ||
          packet.status().code() == er::kNetPacketsOutOfOrder) {
        error(packet.status());
        (co_await io_.flush()).ignoreError();
      }
      break;
    }
    bool keepGoing = co_await dispatch(*packet);
    // A transaction that lost a participant or a deadlock is rolled back before the answer.
    co_await shard_.settle();
    Status flushed = co_await io_.flush();
    if (!keepGoing || !flushed) break;
  }
  boost::system::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
}

std::string Session::userAtHost() const {
  return shard_.user ? shard_.user->name + "@" + shard_.user->host : std::string();
}

Status Session::useDatabase(const std::string& name) {
  const config::User& user = *shard_.user;
  // ShardingSphere's schema of system tables, which every user may read.
  if (binder::isShardingSphereSchema(name)) {
    shard_.database = std::string(binder::kShardingSphereSchema);
    return Status::ok();
  }
  // information_schema, which every user may read (with the logical databases in it).
  if (binder::isInformationSchema(name)) {
    shard_.database = "information_schema";
    return Status::ok();
  }
  if (!topology_->authority.mayAccess(user, name)) {
    return databaseAccessDenied(user.name, user.host, name);
  }
  if (!topology_->findDatabase(name)) return unknownDatabase(name);
  shard_.database = name;
  return Status::ok();
}

awaitable<bool> Session::dispatch(std::string_view payload) {
  auto command = protocol::decodeCommand(payload);
  if (!command) {
    // An empty packet is read as COM_SLEEP, which clients may not send.
    error(Status(er::kUnknownCom, "08S01", "Unknown command"));
    co_return true;
  }
  adoptConfiguration();
  admin::Admin admin(shard_, *this, context_.state, worker_.statements());
  // A KILL QUERY that came while the session was idle stops nothing that follows.
  shard_.statementStarts();
  switch (command->command) {
    case Command::kQuit:
      co_return false;
    case Command::kPing:
      writeOk();
      break;
    case Command::kInitDb: {
      Status s = useDatabase(std::string(protocol::initDbSchema(*command)));
      if (s) {
        writeOk();
      } else {
        error(s);
      }
      break;
    }
    case Command::kQuery: {
      context_.state.questions.fetch_add(1, std::memory_order_relaxed);
      std::string_view sql = protocol::queryText(*command);
      activity_->set("Query", shard_.database, sql.substr(0, kProcesslistInfoBytes));
      co_await handleQuery(sql);
      activity_->set("Sleep", shard_.database, {});
      // A large statement's copies (AST, rewritten units, buffers) were freed, but the
      // allocator keeps what it can reuse: give it back to the system.
      if (sql.size() > kTrimAfterBytes) ::malloc_trim(0);
      break;
    }
    case Command::kFieldList: {
      auto fl = protocol::decodeFieldList(*command);
      if (!fl) {
        error(Status(er::kMalformedPacket, "HY000", "Malformed communication packet."));
        break;
      }
      co_await admin.fieldList(fl->table, fl->wildcard);
      break;
    }
    case Command::kSetOption: {
      auto option = protocol::decodeSetOption(*command);
      if (!option || *option > 1) {
        error(Status(er::kUnknownCom, "08S01", "Unknown command"));
        break;
      }
      shard_.multiStatements = *option == 0;
      end(shard_.statusFlags(), 0);
      break;
    }
    case Command::kResetConnection:
      resetConnection();
      writeOk();
      break;
    case Command::kChangeUser:
      co_return co_await changeUser(*command);
    case Command::kStatistics:
      io_.write(admin.statistics());
      break;
    case Command::kStmtPrepare:
      co_await handleStmtPrepare(protocol::queryText(*command));
      break;
    case Command::kStmtExecute:
      context_.state.questions.fetch_add(1, std::memory_order_relaxed);
      activity_->set("Execute", shard_.database, {});
      co_await handleStmtExecute(*command);
      activity_->set("Sleep", shard_.database, {});
      break;
    case Command::kStmtFetch:
      handleStmtFetch(*command);
      break;
    case Command::kStmtReset:
      handleStmtReset(*command);
      break;
    case Command::kStmtClose:
      handleStmtClose(*command);  // no reply
      break;
    case Command::kStmtSendLongData:
      handleStmtSendLongData(*command);  // no reply
      break;
    default:
      error(Status(er::kUnknownCom, "08S01", "Unknown command"));
      break;
  }
  co_return true;
}

awaitable<void> Session::handleQuery(std::string_view sql) {
  if (topology_->props.sqlShow) spdlog::info("Logic SQL: {}", sql);
  admin::Admin admin(shard_, *this, context_.state, worker_.statements());
  if (co_await admin.handleText(sql)) co_return;
  if (!shard_.multiStatements) {
    co_await runStatement(sql);
    co_return;
  }
  // Several statements in one COM_QUERY: each goes through the same path, its result flagged
  // SERVER_MORE_RESULTS_EXISTS but the last's; the first error ends the lot, as in MySQL. The
  // server reads each statement in the sql_mode the ones before it left: when one changes how
  // text is read (SET sql_mode), what follows it is split again in the new mode.
  parser::LexMode mode = shard_.variables.lexMode();
  std::vector<std::string_view> pieces = parser::splitStatements(sql, mode);
  for (size_t i = 0; i < pieces.size(); ++i) {
    moreResults_ = i + 1 < pieces.size();
    failed_ = false;
    if (i > 0 && co_await admin.handleText(pieces[i])) {
      if (failed_) break;
      continue;
    }
    co_await runStatement(pieces[i]);
    if (failed_) break;
    if (parser::LexMode now = shard_.variables.lexMode(); !(now == mode) && i + 1 < pieces.size()) {
      mode = now;
      size_t rest = static_cast<size_t>(pieces[i + 1].data() - sql.data());
      std::vector<std::string_view> again = parser::splitStatements(sql.substr(rest), mode);
      pieces.resize(i + 1);
      pieces.insert(pieces.end(), again.begin(), again.end());
    }
  }
  moreResults_ = false;
}

awaitable<Result<parser::ast::Statement>> Session::parse(std::string_view sql,
                                                         parser::LexMode mode) {
  using parser::StatementCache;
  // Statements that may take long to parse are parsed off the worker, which serves its other
  // sessions meanwhile: past kParseOnWorkerBytes a miss of the worker's cache, past what the
  // cache keeps the whole (even the lookup's normalizing would take long).
  // The tasks are named locals moved into runOn() (see common/run_on.h).
  if (sql.size() > StatementCache::kMaxCachedBytes) {
    auto task = [text = std::string(sql), mode]() mutable {
      return StatementCache::parseUncached(std::move(text), mode);
    };
    auto parsed =
        co_await runOn<Result<parser::ast::Statement>>(*context_.parsePool, std::move(task));
    co_return std::move(*parsed);
  }
  StatementCache& cache = worker_.statements();
  if (sql.size() <= kParseOnWorkerBytes) co_return cache.get(sql, mode);
  StatementCache::Miss miss;
  if (auto hit = cache.lookup(sql, mode, miss)) co_return std::move(*hit);
  auto task = [text = std::string(sql), miss = std::move(miss)]() mutable {
    return StatementCache::parseMiss(text, std::move(miss));
  };
  auto parsed = co_await runOn<StatementCache::Parsed>(*context_.parsePool, std::move(task));
  cache.keep(std::move(parsed->keep));
  co_return std::move(parsed->statement);
}

awaitable<void> Session::runStatement(std::string_view sql) {
  Result<parser::ast::Statement> parsed = co_await parse(sql, shard_.variables.lexMode());
  if (!parsed) {
    // Nothing the grammar does not take reaches a backend.
    error(parsed.status());
    co_return;
  }
  // MariaDB's SET STATEMENT max_statement_time = N FOR <statement>: the statement runs with that
  // limit (other variables in SET STATEMENT are refused by the gate).
  if (std::optional<std::chrono::microseconds> limit = setStatementLimit(*parsed)) {
    std::string inner(parsed->text(parsed->set.forStatement));
    statementTimeFor_ = limit;
    co_await runStatement(inner);
    statementTimeFor_.reset();
    co_return;
  }
  auto gated = gate(std::move(parsed.value()));
  if (!gated) {
    error(gated.status());
    co_return;
  }
  const parser::ast::Statement& statement = gated->statement;
  using Kind = parser::ast::StatementKind;
  if (statement.kind == Kind::Set) {
    // The proxy's own variables are set here; the SET of the others, if any, runs first (its
    // error leaves the proxy's unchanged, as one SET fails whole).
    auto taken = proxyAssignments(statement);
    if (!taken) {
      error(taken.status());
      co_return;
    }
    if (*taken) {
      if ((*taken)->rest.empty()) {
        writeOk();
      } else {
        bool failedBefore = failed_;
        failed_ = false;
        co_await runStatement((*taken)->rest);
        bool failed = failed_;
        failed_ = failed || failedBefore;
        if (failed) co_return;
      }
      applyProxyVariables(**taken);
      co_return;
    }
  }
  switch (statement.kind) {
    case Kind::Prepare:
      co_await sqlPrepare(statement);
      co_return;
    case Kind::Execute:
      co_await sqlExecute(statement);
      co_return;
    case Kind::Deallocate:
      sqlDeallocate(statement);
      co_return;
    case Kind::Use: {
      // (The session's transaction goes on in the new database, as on one MySQL server.)
      Status s = useDatabase(statement.useDatabase.value);
      if (s) {
        writeOk();
      } else {
        error(s);
      }
      co_return;
    }
    default:
      break;
  }
  // A statement whose names are all of another logical database runs there.
  std::string previous = shard_.database;
  bool elsewhere = !gated->database.empty() && gated->database != shard_.database;
  if (elsewhere) shard_.database = gated->database;
  admin::Admin admin(shard_, *this, context_.state, worker_.statements());
  executor::Engine engine(shard_, *this);
  startStatementTimer(statement);
  if (statement.kind == Kind::LoadData && statement.localFile) {
    co_await loadLocalFile(statement);
  } else if (gated->logicalInformationSchema && co_await admin.informationSchema(statement)) {
    // answered over the logical information_schema
  } else if (!co_await engine.executeSharded(statement) && !co_await admin.handle(statement)) {
    co_await engine.passThrough(statement.sql, &statement);
  }
  stopStatementTimer();
  if (elsewhere && shard_.database == gated->database) shard_.database = previous;
}

Result<Session::Gated> Session::gate(parser::ast::Statement statement) {
  if (statement.span.empty() && statement.kind == parser::ast::StatementKind::Other) {
    return Status(parser::kErEmptyQuery, "42000", "Query was empty");
  }
  binder::Context context{*topology_, shard_.services().rules, *shard_.user, shard_.database};
  context.localInfile = (capabilities_ & cap::kLocalFiles) && topology_->props.proxyLocalInfile;
  Result<binder::BoundStatement> bound = binder::bind(statement, context);
  if (!bound) return bound.status();
  Gated out;
  out.database = std::move(bound->database);
  out.logicalInformationSchema = bound->logicalInformationSchema;
  if (bound->replacements.empty()) {
    out.statement = std::move(statement);
    return out;
  }
  // The replaced text (physical database, NULL for LOAD_FILE()) is what runs: parse it, so that
  // every later stage sees the statement that reaches the backend.
  std::string text = binder::applyReplacements(statement, bound->replacements);
  Result<parser::ast::Statement> reparsed =
      worker_.statements().get(text, shard_.variables.lexMode());
  if (!reparsed) return reparsed.status();
  out.statement = std::move(reparsed.value());
  return out;
}

void Session::resetConnection() {
  shard_.reset(executor::charsetVariables(collation_));
  // Prepared statements go too, as MySQL closes them on COM_RESET_CONNECTION.
  statements_.clear();
  namedStatements_.clear();
}

// ---- results ----

void Session::columnCount(size_t count) {
  result_.clear();
  std::string& out = capture_ ? capture_->header.emplace_back() : io_.begin();
  protocol::encodeColumnCount(out, count);
  if (!capture_) io_.end();
}

void Session::column(const protocol::ColumnDefinitionRef& c) {
  result_.add(c);
  std::string& out = capture_ ? capture_->header.emplace_back() : io_.begin();
  protocol::encodeColumnDefinition(out, c);
  if (!capture_) io_.end();
}

void Session::columnsEnd(uint16_t statusFlags) {
  if (capture_) {
    // The EOF after the definitions is how the client learns that a cursor is open; it is sent
    // even under CLIENT_DEPRECATE_EOF, as MySQL does.
    protocol::encodeEof(
        capture_->header.emplace_back(),
        protocol::EofPacket{0, static_cast<uint16_t>(statusFlags | pstatus::kCursorExists)});
    return;
  }
  if (!(capabilities_ & cap::kDeprecateEof)) {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{0, statusFlags});
    io_.end();
  }
}

void Session::beginRow() {
  row_.emplace(capture_ ? capture_->rows.emplace_back() : io_.begin(), result_);
}

bool Session::value(std::string_view text) { return row_->value(text); }

void Session::null() { row_->null(); }

void Session::endRow(bool valid) {
  row_.reset();
  if (!capture_) {
    if (valid) {
      io_.end();
    } else {
      io_.cancel();
    }
    return;
  }
  if (!valid) {
    capture_->rows.pop_back();
    return;
  }
  // A cursor's rows are held in memory, within the same bound as a merge's.
  if (capture_->rows.size() > static_cast<size_t>(topology_->props.proxyMergeMaxMemoryRows)) {
    capture_->tooLarge = true;
    capture_->rows.pop_back();
    return;
  }
  // ... and within the memory budgets in bytes.
  if (capture_->memoryError && capture_->memory) {
    capture_->memoryError =
        capture_->memory->charge(capture_->rows.back().capacity() + sizeof(std::string));
  }
  if (!capture_->memoryError) capture_->rows.pop_back();
}

bool Session::rowWritten() {
  const size_t flushRows =
      static_cast<size_t>(std::max(1, topology_->props.proxyFrontendFlushThreshold));
  if (++rowsSinceFlush_ >= flushRows || io_.buffered() >= kFlushBytes) {
    rowsSinceFlush_ = 0;
    return true;
  }
  return false;
}

void Session::ok(const protocol::OkPacket& ok) {
  if (moreResults_) {
    protocol::OkPacket more = ok;
    more.statusFlags |= pstatus::kMoreResultsExist;
    protocol::encodeOk(io_.begin(), more);
  } else {
    protocol::encodeOk(io_.begin(), ok);
  }
  io_.end();
}

void Session::error(const Status& status) {
  failed_ = true;
  if (capture_) capture_->failed = true;
  const Status s = asServerError(limitErrorFor(shard_.clientError(status)));
  protocol::encodeErr(io_.begin(), protocol::ErrPacket{s.code(), s.sqlState(), s.message()});
  io_.end();
}

void Session::end(uint16_t statusFlags, uint16_t warnings) {
  rowsSinceFlush_ = 0;
  if (moreResults_) statusFlags |= pstatus::kMoreResultsExist;
  if (capture_) return;  // a cursor's end is sent by the COM_STMT_FETCH that reaches it
  if (capabilities_ & cap::kDeprecateEof) {
    protocol::encodeOk(io_.begin(), protocol::OkPacket{0, 0, statusFlags, warnings, {}}, true);
  } else {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{warnings, statusFlags});
  }
  io_.end();
}

}  // namespace shardproxy::frontend
