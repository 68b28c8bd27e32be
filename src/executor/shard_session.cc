#include "executor/shard_session.h"

#include <algorithm>

#include "common/log.h"
#include "protocol/constants.h"

namespace shardproxy::executor {

namespace pstatus = protocol::status;

namespace {

bool inTransaction(const ShardConnection& conn) {
  uint16_t s = conn.serverStatus();
  return (s & pstatus::kInTrans) || !(s & pstatus::kAutocommit);
}

// ER_CONNECTION_KILLED (SQLSTATE 70100), what MariaDB sends a connection it kills: the work of
// the transaction is gone, but not the client's session, and not the connection's fault (class
// 08, as the client library's own 2006/2013 would say, makes drivers and pools drop a session
// that is fine).
constexpr uint16_t kConnectionKilled = 1927;
// ER_LOCK_DEADLOCK, as InnoDB answers the victim of a deadlock it breaks.
constexpr uint16_t kLockDeadlock = 1213;

// `what`: which connection, and how.
Status participantLost(const std::string& what) {
  return Status(kConnectionKilled, "70100",
                "Connection was killed: " + what + "; the transaction was rolled back");
}

// Errors that mean the backend connection is gone (with the work of its transaction):
// CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED from the client library,
// ER_CONNECTION_KILLED and ER_SERVER_SHUTDOWN from a server closing it.
bool connectionLoss(uint16_t code) {
  return code == 2006 || code == 2013 || code == 2055 || code == kConnectionKilled ||
         code == er::kServerShutdown;
}

Status deadlockFound() {
  return Status(kLockDeadlock, "40001",
                "Deadlock found when trying to get lock; try restarting transaction");
}

}  // namespace

ShardSession::ShardSession(ConnectionSource& source, std::shared_ptr<Services> services,
                           uint32_t connectionId)
    : source_(source),
      services_(std::move(services)),
      connectionId_(connectionId),
      transaction_(services_->coordinator.get(), services_->topology->transactionDefaultType == "XA"
                                                     ? txn::TransactionType::Xa
                                                     : txn::TransactionType::Local) {
  if (services_->deadlocks) {
    locks_ = services_->deadlocks->enroll(connectionId, services_->topology);
  }
}

void ShardSession::adopt(std::shared_ptr<Services> next, const config::User* u) {
  // The deadlock detector asks the servers of the session's configuration.
  if (locks_) {
    services_->deadlocks->withdraw(locks_.get());
    locks_.reset();
  }
  services_ = std::move(next);
  user = u;
  if (user) account_ = user->name + "@" + user->host;
  if (services_->deadlocks) {
    locks_ = services_->deadlocks->enroll(connectionId_, services_->topology);
  }
}

ShardSession::~ShardSession() {
  if (locks_) services_->deadlocks->withdraw(locks_.get());
  // XA branches end with the connections closed below (MySQL rolls back a branch that is not
  // prepared when its connection goes).
  transaction_.reset();
  // Held connections carry this session's transaction or state: they are closed, which also
  // rolls back an open transaction, never handed to another client.
  for (auto& [key, held] : held_) source_.discard(std::move(held.conn));
}

void ShardSession::logSql(const std::string& dataSource, std::string_view sql) const {
  if (sqlShow()) spdlog::info("Actual SQL: {} ::: {}", dataSource, sql);
}

namespace {

// What a backend connection to `ds` is, beyond pool settings: two data sources with the same
// endpoint give connections nobody could tell apart.
std::string endpointOf(const config::DataSource& ds, bool noDatabase) {
  std::string out;
  auto add = [&out](std::string_view part) {
    out += std::to_string(part.size());
    out += ':';
    out += part;
  };
  add(ds.host);
  add(std::to_string(ds.port));
  add(ds.username);
  add(ds.password);
  add(noDatabase ? std::string("-") : "+" + ds.database);
  add(sslModeName(ds.sslMode));
  add(ds.sslCa);
  for (const auto& [name, value] : ds.urlParams) {
    add(name);
    add(value);
  }
  return out;
}

}  // namespace

std::string ShardSession::participantKey(const Target& target) const {
  const config::DataSource* ds = target.dataSource;
  auto cached = keys_.find({ds, target.noDatabase});
  if (cached != keys_.end()) return cached->second;
  std::string endpoint = endpointOf(*ds, target.noDatabase);
  // Data sources of one logical database that share an endpoint stay apart: one statement's
  // units may run on them at once.
  size_t twin = 0;
  if (target.database) {
    for (const config::DataSource& other : target.database->dataSources) {
      if (&other == ds) break;
      if (endpointOf(other, target.noDatabase) == endpoint) ++twin;
    }
  }
  std::string key = endpoint + "#" + std::to_string(twin);
  keys_.emplace(std::make_pair(ds, target.noDatabase), key);
  return key;
}

const router::ShardingRule* ShardSession::rulesOf(const std::string& db) const {
  if (db.empty()) return nullptr;
  auto it = services_->rules.find(db);
  if (it == services_->rules.end() || it->second->empty()) return nullptr;
  return it->second.get();
}

void ShardSession::setUser(const config::User* u, const std::string& clientHost) {
  user = u;
  userAtClient_ = u ? u->name + "@" + clientHost : std::string();
  account_ = u ? u->name + "@" + u->host : std::string();
}

const router::ShardingRule* ShardSession::activeRules() const { return rulesOf(database); }

Result<Target> ShardSession::route() const {
  const config::Topology& topo = topology();
  Target t;
  if (database.empty()) {
    // Statements outside any database (SELECT 1, SELECT @@version ...) go to the first
    // database the user may use whose data source answers (the first one when none does).
    t.noDatabase = true;
    for (const auto& [name, db] : topo.databases) {
      if (!user || !topo.authority.mayAccess(*user, name) || !db.defaultDataSource()) continue;
      Target candidate = t;
      candidate.database = &db;
      candidate.dataSource = db.defaultDataSource();
      if (!t.database) t.database = &db;
      if (source_.answering(candidate)) {
        t.database = &db;
        break;
      }
    }
    if (!t.database) return Status(er::kNoDb, "3D000", "No database selected");
  } else {
    t.database = topo.findDatabase(database);
    if (!t.database) return unknownDatabase(database);
  }
  t.dataSource = t.database->defaultDataSource();
  if (!t.dataSource) {
    return makeError(er::kUnknownError,
                     "database '" + t.database->name + "' has no data source configured");
  }
  return t;
}

Result<Target> ShardSession::targetFor(const config::LogicalDatabase& db,
                                       const std::string& dataSource) const {
  Target t;
  t.database = &db;
  t.dataSource = db.findDataSource(dataSource);
  if (!t.dataSource) {
    // A readwrite-splitting group: its write data source, until reads are split.
    auto group = db.logicalDataSources.find(dataSource);
    if (group != db.logicalDataSources.end()) t.dataSource = db.findDataSource(group->second);
  }
  if (!t.dataSource) {
    return makeError(er::kUnknownError, "data source '" + dataSource + "' of database '" + db.name +
                                            "' cannot be reached");
  }
  return t;
}

awaitable<Result<HeldConnection>> ShardSession::acquire(const Target& target) {
  if (interrupted_) {
    co_return Status(er::kQueryInterrupted, "70100", "Query execution was interrupted");
  }
  Key key = participantKey(target);
  HeldConnection held;
  if (auto it = held_.find(key); it != held_.end()) {
    held = std::move(it->second);
    held_.erase(it);
    held.pinned = true;
  } else {
    auto conn = co_await source_.acquire(target, foundRows, lastConnection_);
    if (!conn) co_return conn.status();
    held.conn = std::move(conn.value());
  }
  ShardConnection& conn = *held.conn;
  Status s = co_await conn.setMultiStatements(multiStatements);
  if (s) {
    bool noBackslashEscapes = conn.serverStatus() & pstatus::kNoBackslashEscapes;
    std::string sync = variables.syncStatement(conn.appliedVariables(), noBackslashEscapes);
    if (!sync.empty()) {
      s = co_await conn.execute(sync);
      if (s) conn.appliedVariables() = variables.values;
    }
  }
  // Whatever logical database it serves (or none), a connection joins the session's
  // transaction.
  if (s) {
    // With autocommit off, the statement about to run begins a transaction on a connection
    // that is in none: it gets the savepoints and SET TRANSACTION of the session's.
    bool nativeOpen = conn.serverStatus() & pstatus::kInTrans;
    bool implicitStart =
        !transaction_.open() && !nativeOpen && !(statusFlags() & pstatus::kAutocommit);
    if (transaction_.joins(key, nativeOpen, implicitStart)) {
      s = co_await transaction_.join(conn, key, nativeOpen, implicitStart);
    }
  }
  if (!s) {
    if (held.sticky) {
      mustClose_ = true;
    } else if (held.pinned && conn.broken()) {
      // Table locks alone are simply gone with the connection: the statement's error says so.
      if (!held.locked || transactional()) {
        lost_ = "lost the connection to data source " + target.dataSource->name;
      }
    } else if (held.pinned) {
      // (A connection that cannot take the session's variables, yet is alive, leaves the
      // transaction in a state nobody can tell.)
      mustClose_ = true;
    }
    source_.discard(std::move(held.conn));
    co_return s;
  }
  // The detector learns of the transaction's connections as they join.
  if (locks_ && transactional() && !locks_->knows(conn.threadId())) {
    locks_->joined(*target.dataSource, conn.threadId());
  }
  co_return std::move(held);
}

void ShardSession::finish(const Target& target, HeldConnection held, bool sticky) {
  ShardConnection& conn = *held.conn;
  lastConnection_ = conn.identity();
  Key key = participantKey(target);
  bool branch = transaction_.isBranch(key);
  if (conn.broken() || !conn.idleClean()) {
    if (conn.broken() && held.sticky) {
      mustClose_ = true;
    } else if (conn.broken() && ((held.pinned && !held.locked) || branch || transactional())) {
      // The server rolled back the transaction's work there; settle() rolls back the rest.
      lost_ = "lost the connection to data source " + target.dataSource->name;
    }
    lastConnection_ = nullptr;
    source_.release(std::move(held.conn));
    return;
  }
  held.sticky = held.sticky || sticky;
  if (held.sticky || held.locked || inTransaction(conn) || branch) {
    if (held_.count(key)) {
      // One connection per participant carries the session's state; a second one cannot be
      // kept beside it (lanes are limited to one in a transaction, so this is a safety net).
      spdlog::warn("a second connection to {} held state; closing it", target.dataSource->name);
      source_.discard(std::move(held.conn));
      return;
    }
    held_[key] = std::move(held);
  } else if (interrupted_) {
    source_.discard(std::move(held.conn));
  } else {
    source_.release(std::move(held.conn));
  }
}

void ShardSession::discard(HeldConnection held) {
  if (held.conn) source_.discard(std::move(held.conn));
}

bool ShardSession::holds(const std::string& db, const std::string& dataSource) const {
  const config::LogicalDatabase* logical = topology().findDatabase(db);
  if (!logical) return false;
  auto target = targetFor(*logical, dataSource);
  return target && held_.count(participantKey(*target)) > 0;
}

std::optional<std::string> ShardSession::heldDataSource(const std::string& db) const {
  const config::LogicalDatabase* logical = topology().findDatabase(db);
  if (!logical || held_.empty()) return std::nullopt;
  for (const config::DataSource& ds : logical->dataSources) {
    Target t;
    t.database = logical;
    t.dataSource = &ds;
    if (held_.count(participantKey(t))) return ds.name;
  }
  return std::nullopt;
}

bool ShardSession::tablesLocked() const {
  for (const auto& [key, held] : held_) {
    if (held.locked) return true;
  }
  return false;
}

awaitable<Status> ShardSession::unlockTables() {
  Status result = Status::ok();
  for (auto it = held_.begin(); it != held_.end();) {
    HeldConnection& held = it->second;
    if (!held.locked || !held.conn) {
      ++it;
      continue;
    }
    held.locked = false;
    Status s = co_await held.conn->execute("UNLOCK TABLES");
    if (!s || held.conn->broken()) {
      // Closed, the connection cannot keep a lock.
      if (result) result = s;
      source_.discard(std::move(held.conn));
      it = held_.erase(it);
      continue;
    }
    if (held.sticky || inTransaction(*held.conn) || transaction_.isBranch(it->first)) {
      ++it;
      continue;
    }
    source_.release(std::move(held.conn));
    it = held_.erase(it);
  }
  co_return result;
}

uint16_t ShardSession::statusFlags() const {
  uint16_t flags = pstatus::kAutocommit;
  if (transaction_.open()) flags |= pstatus::kInTrans;
  // Autocommit is the session's variable once the client set it: a held connection that has
  // not run a statement since still shows the value it had then.
  auto it = variables.values.find("autocommit");
  bool known = it != variables.values.end();
  if (known && it->second == "OFF") flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  for (const auto& [key, held] : held_) {
    uint16_t s = held.conn->serverStatus();
    if (s & pstatus::kInTrans) flags |= pstatus::kInTrans;
    if (!known && !(s & pstatus::kAutocommit)) {
      flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
    }
  }
  return flags;
}

bool ShardSession::transactional() const {
  return transaction_.open() || !(statusFlags() & pstatus::kAutocommit);
}

void ShardSession::beginTransaction(std::string statement, bool readOnly) {
  transaction_.begin(std::move(statement), readOnly);
}

void ShardSession::beginImplicitTransaction() { transaction_.begin("BEGIN", false); }

std::vector<txn::Participant*> ShardSession::participants() {
  std::vector<txn::Participant*> out;
  for (auto& [key, held] : held_) {
    if (!held.conn) continue;
    if (inTransaction(*held.conn) || transaction_.isBranch(key)) out.push_back(held.conn.get());
  }
  return out;
}

awaitable<Status> ShardSession::endTransaction(bool commit) {
  // Who takes part: the XA branches, in the order they began (null where the connection is
  // gone); then every other held connection in a transaction, whatever database it serves.
  std::vector<Key> keys;
  std::vector<txn::Participant*> branches;
  std::vector<txn::Participant*> local;
  for (const txn::Transaction::Branch& b : transaction_.branches()) {
    auto it = held_.find(b.participant);
    bool here = it != held_.end() && it->second.conn;
    keys.push_back(b.participant);
    branches.push_back(here ? it->second.conn.get() : nullptr);
  }
  for (const auto& [key, held] : held_) {
    if (transaction_.isBranch(key) || !held.conn || !inTransaction(*held.conn)) continue;
    keys.push_back(key);
    local.push_back(held.conn.get());
  }
  // A participant whose server closed its connection while it was idle (killed, restarted) has
  // lost its part of the transaction: nothing commits (a LOCAL COMMIT that met it only on its
  // turn would have committed the participants before it).
  std::optional<std::string> lost;
  std::vector<bool> dead(keys.size(), false);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it == held_.end() || !it->second.conn || it->second.conn->looksAlive()) continue;
    dead[i] = true;
    if (!lost) lost = it->second.conn->dataSource();
  }
  const bool lostBefore = lost.has_value();
  bool xa = transaction_.xa();
  txn::Transaction::EndResult result =
      co_await transaction_.end(commit && !lostBefore, std::move(branches), std::move(local));
  // Participants that hold nothing else go back to their pools.
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it == held_.end() || !it->second.conn) continue;
    HeldConnection& held = it->second;
    if (held.conn->broken() && !lost) lost = held.conn->dataSource();
    if (result.discard[i] || held.conn->broken() || dead[i]) {
      // (An XA branch's connection carried the state a sticky one held: it is gone with it.)
      if (xa && held.sticky) mustClose_ = true;
      source_.discard(std::move(held.conn));
      held_.erase(it);
      continue;
    }
    if (held.sticky || inTransaction(*held.conn)) continue;
    source_.release(std::move(held.conn));
    held_.erase(it);
  }
  if (locks_) locks_->ended();
  // Its server rolled back what a lost connection did: a ROLLBACK is done all the same.
  if (lost && !commit) co_return Status::ok();
  if (lost && (lostBefore || !result.status)) {
    // One clear answer rather than the library's error of one connection: what became of the
    // transaction. (A logged XA decision is no failure: recovery commits what is left.)
    std::string outcome = result.committed == 0
                              ? "the transaction was rolled back"
                              : "the transaction was committed on " +
                                    std::to_string(result.committed) +
                                    " data source(s) before it and rolled back on the others";
    abort_ = Status(kConnectionKilled, "70100",
                    "Connection was killed: the connection to data source " + *lost +
                        " was lost during COMMIT; " + outcome);
    co_return *abort_;
  }
  co_return result.status;
}

awaitable<Status> ShardSession::savepoint(txn::SavepointOp op, const std::string& name) {
  co_return co_await transaction_.savepoint(op, name, participants());
}

void ShardSession::running(const Target& target, const ShardConnection& conn) {
  running_.push_back(Running{target, conn.threadId()});
  if (locks_) locks_->statementStarted();
}

void ShardSession::killRunning() {
  interrupted_ = true;
  for (const Running& r : running_) source_.killQuery(r.target, r.threadId);
}

void ShardSession::reset(std::map<std::string, std::string> initial) {
  for (auto& [key, held] : held_) source_.discard(std::move(held.conn));
  held_.clear();
  transaction_.reset();
  if (locks_) locks_->ended();
  lost_.reset();
  abort_.reset();
  variables.reset(std::move(initial));
}

Status ShardSession::clientError(const Status& s) {
  if (abort_) return *abort_;  // one error per statement
  if (locks_ && locks_->victim() && transactional()) {
    abort_ = deadlockFound();
  } else if (lost_) {
    abort_ = participantLost(*lost_);
  } else if (connectionLoss(s.code()) && transactional()) {
    // (Said before the connection is finished with, which would tell the same.)
    lost_ = s.message();
    abort_ = participantLost(s.message());
  } else {
    return s;
  }
  return *abort_;
}

awaitable<void> ShardSession::settle() {
  if (!lost_ && !abort_) co_return;
  if (lost_ && !abort_) {
    // Lost after the statement's answer went out: the rollback is still due.
    spdlog::warn("session {}: {}; rolling back", connectionId_, *lost_);
  }
  if (transactional() || !held_.empty()) {
    if (Status s = co_await endTransaction(false); !s) {
      spdlog::warn("session {}: rolling back after a lost participant or a deadlock: {}",
                   connectionId_, s.message());
    }
  }
  if (locks_) {
    locks_->ended();
    locks_->forgetVictim();
  }
  lost_.reset();
  abort_.reset();
}

}  // namespace shardproxy::executor
