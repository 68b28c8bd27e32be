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

}  // namespace

ShardSession::ShardSession(ConnectionSource& source, Services& services, uint32_t connectionId)
    : source_(source),
      services_(services),
      connectionId_(connectionId),
      transaction_(services.coordinator.get(), services.topology->transactionDefaultType == "XA"
                                                   ? txn::TransactionType::Xa
                                                   : txn::TransactionType::Local) {}

ShardSession::~ShardSession() {
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

ShardSession::Key ShardSession::keyOf(const Target& target) {
  return {target.noDatabase ? std::string() : target.database->name, target.dataSource->name};
}

const router::ShardingRule* ShardSession::rulesOf(const std::string& db) const {
  if (db.empty()) return nullptr;
  auto it = services_.rules.find(db);
  if (it == services_.rules.end() || it->second->empty()) return nullptr;
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
    // database the user may use.
    for (const auto& [name, db] : topo.databases) {
      if (user && topo.authority.mayAccess(*user, name) && db.defaultDataSource()) {
        t.database = &db;
        break;
      }
    }
    if (!t.database) return Status(er::kNoDb, "3D000", "No database selected");
    t.noDatabase = true;
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
  Key key = keyOf(target);
  HeldConnection held;
  // A sharded database's transactions are LOCAL or XA: one participant per data source.
  // Elsewhere a transaction stays on its one connection.
  bool local = target.database && rulesOf(target.database->name);
  for (const auto& [otherKey, other] : held_) {
    bool sameDatabase = otherKey.first == key.first;
    if (otherKey != key && (other.conn->serverStatus() & pstatus::kInTrans) &&
        !(local && sameDatabase)) {
      co_return Status(er::kNotSupportedYet, "42000",
                       "unsupported: a transaction cannot span databases or data sources; "
                       "COMMIT or ROLLBACK it first");
    }
  }
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
  if (s) {
    // With autocommit off, a connection new to the session joins the transaction its first
    // statement begins.
    std::string db = target.noDatabase ? std::string() : target.database->name;
    bool implicitStart = !transaction_.open() && !held.pinned && !db.empty() && db == database &&
                         !(statusFlags() & pstatus::kAutocommit) && activeRules();
    bool nativeOpen = conn.serverStatus() & pstatus::kInTrans;
    if (transaction_.joins(db, conn.dataSource(), nativeOpen, implicitStart)) {
      s = co_await transaction_.join(conn, db, nativeOpen, implicitStart);
    }
  }
  if (!s) {
    if (held.pinned || held.sticky) mustClose_ = true;
    source_.discard(std::move(held.conn));
    co_return s;
  }
  co_return std::move(held);
}

void ShardSession::finish(const Target& target, HeldConnection held, bool sticky) {
  ShardConnection& conn = *held.conn;
  lastConnection_ = conn.identity();
  if (conn.broken() || !conn.idleClean()) {
    if (conn.broken() && (held.pinned || held.sticky)) mustClose_ = true;
    lastConnection_ = nullptr;
    source_.release(std::move(held.conn));
    return;
  }
  Key key = keyOf(target);
  const auto& branches = transaction_.branches();
  bool branch = !key.first.empty() && key.first == transaction_.database() &&
                std::find(branches.begin(), branches.end(), key.second) != branches.end();
  held.sticky = held.sticky || sticky;
  if (held.sticky || inTransaction(conn) || branch) {
    if (held_.count(key)) {
      // One connection per data source carries the session's state; a second one cannot be
      // kept beside it (lanes are limited to one in a transaction, so this is a safety net).
      spdlog::warn("a second connection to {} held state; closing it", target.dataSource->name);
      source_.discard(std::move(held.conn));
      return;
    }
    held_[key] = std::move(held);
  } else {
    source_.release(std::move(held.conn));
  }
}

void ShardSession::discard(HeldConnection held) {
  if (held.conn) source_.discard(std::move(held.conn));
}

bool ShardSession::holds(const std::string& db, const std::string& dataSource) const {
  return held_.count({db, dataSource}) > 0;
}

std::optional<std::string> ShardSession::heldDataSource(const std::string& db) const {
  for (const auto& [key, held] : held_) {
    if (key.first == db) return key.second;
  }
  return std::nullopt;
}

uint16_t ShardSession::statusFlags() const {
  uint16_t flags = pstatus::kAutocommit;
  if (transaction_.open()) flags |= pstatus::kInTrans;
  for (const auto& [key, held] : held_) {
    uint16_t s = held.conn->serverStatus();
    if (s & pstatus::kInTrans) flags |= pstatus::kInTrans;
    if (!(s & pstatus::kAutocommit)) flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  auto it = variables.values.find("autocommit");
  if (it != variables.values.end() && it->second == "OFF") {
    flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  return flags;
}

bool ShardSession::transactional() const {
  return transaction_.open() || !(statusFlags() & pstatus::kAutocommit);
}

void ShardSession::beginTransaction(std::string statement, bool readOnly) {
  transaction_.begin(std::move(statement), database, readOnly);
}

void ShardSession::beginImplicitTransaction() { transaction_.begin("BEGIN", database, false); }

std::vector<txn::Participant*> ShardSession::participants() {
  std::vector<txn::Participant*> out;
  const auto& branches = transaction_.branches();
  for (auto& [key, held] : held_) {
    if (key.first != database || !held.conn) continue;
    bool branch = transaction_.xa() && key.first == transaction_.database() &&
                  std::find(branches.begin(), branches.end(), key.second) != branches.end();
    if (inTransaction(*held.conn) || branch) out.push_back(held.conn.get());
  }
  return out;
}

awaitable<Status> ShardSession::endTransaction(bool commit) {
  // Who takes part: an XA transaction's branches, in the order they began; else every held
  // connection in a transaction (COMMIT ends the LOCAL transaction from any database).
  std::vector<Key> keys;
  if (transaction_.xa()) {
    for (const std::string& ds : transaction_.branches()) {
      Key key{transaction_.database(), ds};
      auto it = held_.find(key);
      if (it != held_.end() && it->second.conn) keys.push_back(key);
    }
  } else {
    for (const auto& [key, held] : held_) {
      if (inTransaction(*held.conn)) keys.push_back(key);
    }
  }
  bool xa = transaction_.xa();
  std::vector<txn::Participant*> participants;
  for (const Key& key : keys) participants.push_back(held_.at(key).conn.get());
  txn::Transaction::EndResult result = co_await transaction_.end(commit, participants);
  // Participants that hold nothing else go back to their pools.
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it == held_.end()) continue;
    HeldConnection& held = it->second;
    if (result.discard[i] || held.conn->broken()) {
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
  co_return result.status;
}

awaitable<Status> ShardSession::savepoint(txn::SavepointOp op, const std::string& name) {
  co_return co_await transaction_.savepoint(op, name, participants());
}

void ShardSession::running(const Target& target, const ShardConnection& conn) {
  running_.push_back(Running{target, conn.threadId()});
}

void ShardSession::killRunning() {
  for (const Running& r : running_) source_.killQuery(r.target, r.threadId);
}

void ShardSession::reset(std::map<std::string, std::string> initial) {
  for (auto& [key, held] : held_) source_.discard(std::move(held.conn));
  held_.clear();
  transaction_.reset();
  variables.values = std::move(initial);
}

}  // namespace shardproxy::executor
