#include "executor/deadlock_detector.h"

#include <mysql.h>

#include <algorithm>

#include "backend/connection.h"
#include "common/log.h"
#include "txn/wait_for_graph.h"

namespace shardproxy::executor {

namespace {

// ER_SPECIFIC_ACCESS_DENIED_ERROR: the account lacks PROCESS, which the lock tables need.
constexpr unsigned kSpecificAccessDenied = 1227;
// ER_NO_SUCH_THREAD: the statement to stop has ended (and its connection with it).
constexpr unsigned kNoSuchThread = 1094;

// Every lock wait of the server, by backend connection (CONNECTION_ID()) on each side.
constexpr const char* kLockWaitsSql =
    "SELECT r.trx_mysql_thread_id, b.trx_mysql_thread_id "
    "FROM information_schema.INNODB_LOCK_WAITS w "
    "JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id "
    "JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id";

std::string serverKey(const config::DataSource& ds) {
  return ds.host + ":" + std::to_string(ds.port);
}

}  // namespace

// ---- SessionLocks ----

void SessionLocks::joined(const config::DataSource& ds, uint64_t threadId) {
  if (!threads_.insert(threadId).second) return;
  std::lock_guard lock(mutex_);
  if (participants_.empty()) transactionStartedNs_ = nowNs();
  participants_.push_back(Participant{serverKey(ds), threadId, &ds});
}

void SessionLocks::ended() {
  if (threads_.empty()) return;
  threads_.clear();
  std::lock_guard lock(mutex_);
  participants_.clear();
  transactionStartedNs_ = 0;
}

SessionLocks::Snapshot SessionLocks::snapshot() const {
  Snapshot out;
  out.sessionId = sessionId_;
  out.topology = topology_;
  // (The statement's number before its start: a statement that starts in between is newer
  // than the start read, and markVictim() refuses it.)
  out.statement = statement_.load(std::memory_order_relaxed);
  out.statementStartedNs = startedNs_.load(std::memory_order_acquire);
  std::lock_guard lock(mutex_);
  out.transactionStartedNs = transactionStartedNs_;
  out.participants = participants_;
  return out;
}

bool SessionLocks::markVictim(uint64_t statement) {
  if (statement_.load(std::memory_order_relaxed) != statement ||
      startedNs_.load(std::memory_order_acquire) == 0) {
    return false;
  }
  victim_.store(statement, std::memory_order_release);
  return true;
}

// ---- DeadlockDetector ----

struct DeadlockDetector::Server {
  std::string key;
  config::DataSource dataSource;  // the account it is asked with: the first seen there
  MYSQL* mysql = nullptr;
  bool disabled = false;  // no PROCESS privilege: never asked again

  ~Server() { close(); }
  void close() {
    if (mysql) mysql_close(mysql);
    mysql = nullptr;
  }
  bool connect() {
    if (mysql) return true;
    mysql = mysql_init(nullptr);
    unsigned connectTimeout = 2;
    unsigned ioTimeout = 2;
    mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
    mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &ioTimeout);
    mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout);
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(mysql, MYSQL_OPT_PROTOCOL, &protocol);
    backend::setTlsOptions(mysql, dataSource);
    const config::DataSource& ds = dataSource;
    if (!mysql_real_connect(mysql, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(),
                            nullptr, ds.port, nullptr, 0)) {
      spdlog::debug("deadlock detection cannot connect to {}: {}", key, mysql_error(mysql));
      close();
      return false;
    }
    if (Status tls = backend::checkTls(mysql, ds); !tls) {
      spdlog::warn("deadlock detection: {}", tls.message());
      close();
      return false;
    }
    return true;
  }
};

DeadlockDetector::DeadlockDetector(std::chrono::milliseconds threshold) : threshold_(threshold) {
  if (enabled()) thread_ = std::thread([this] { run(); });
}

DeadlockDetector::~DeadlockDetector() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<SessionLocks> DeadlockDetector::enroll(
    uint32_t sessionId, std::shared_ptr<const config::Topology> topology) {
  if (!enabled()) return nullptr;
  auto locks = std::make_shared<SessionLocks>(sessionId, std::move(topology));
  std::lock_guard lock(mutex_);
  sessions_[locks.get()] = locks;
  return locks;
}

void DeadlockDetector::withdraw(const SessionLocks* locks) {
  std::lock_guard lock(mutex_);
  sessions_.erase(locks);
}

void DeadlockDetector::run() {
  // A cycle is found within about threshold + period of its forming.
  auto period =
      std::clamp(threshold_ / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(250));
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, period, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    scan();
    lock.lock();
  }
  servers_.clear();
  mysql_thread_end();
}

DeadlockDetector::Server& DeadlockDetector::server(const SessionLocks::Participant& p) {
  // One connection per server and account: a statement is stopped by its own account (KILL of
  // another account's thread would need CONNECTION ADMIN).
  auto& slot = servers_[p.server + "/" + p.dataSource->username];
  if (!slot) {
    slot = std::make_unique<Server>();
    slot->key = p.server;
    slot->dataSource = *p.dataSource;
  }
  return *slot;
}

bool DeadlockDetector::lockWaits(Server& server, std::vector<std::pair<uint64_t, uint64_t>>& out) {
  if (server.disabled || !server.connect()) return false;
  if (mysql_query(server.mysql, kLockWaitsSql) != 0) {
    unsigned code = mysql_errno(server.mysql);
    if (code == kSpecificAccessDenied) {
      server.disabled = true;
      spdlog::warn("deadlock detection is off for {}: account {} lacks the PROCESS privilege ({})",
                   server.key, server.dataSource.username, mysql_error(server.mysql));
    } else {
      spdlog::debug("deadlock detection cannot read the lock waits of {}: {}", server.key,
                    mysql_error(server.mysql));
    }
    server.close();
    return false;
  }
  MYSQL_RES* result = mysql_store_result(server.mysql);
  if (!result) {
    server.close();
    return false;
  }
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    if (!row[0] || !row[1]) continue;
    out.emplace_back(std::strtoull(row[0], nullptr, 10), std::strtoull(row[1], nullptr, 10));
  }
  mysql_free_result(result);
  return true;
}

void DeadlockDetector::kill(Server& server, uint64_t threadId) {
  if (!server.connect()) return;
  std::string sql = "KILL QUERY " + std::to_string(threadId);
  if (mysql_query(server.mysql, sql.c_str()) != 0 && mysql_errno(server.mysql) != kNoSuchThread) {
    spdlog::warn("deadlock detection could not stop thread {} on {}: {}", threadId, server.key,
                 mysql_error(server.mysql));
    server.close();
  }
}

void DeadlockDetector::scan() {
  std::vector<std::shared_ptr<SessionLocks>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  // Only when some statement of a transaction has waited past the threshold is anything asked.
  const int64_t now = SessionLocks::nowNs();
  const int64_t thresholdNs =
      std::chrono::duration_cast<std::chrono::nanoseconds>(threshold_).count();
  std::vector<SessionLocks::Snapshot> snaps;
  std::vector<SessionLocks*> owners;
  bool waiting = false;
  for (const auto& s : live) {
    SessionLocks::Snapshot snap = s->snapshot();
    if (snap.participants.empty() || snap.statementStartedNs == 0) continue;
    if (now - snap.statementStartedNs >= thresholdNs) waiting = true;
    snaps.push_back(std::move(snap));
    owners.push_back(s.get());
  }
  if (!waiting) {
    suspects_.clear();
    return;
  }
  // Every member of a cycle has a statement running, so it is among `snaps`, and it waits on a
  // server where it has a connection.
  // (server, thread) -> its participant, and which snap it is of
  std::map<std::pair<std::string, uint64_t>, std::pair<size_t, const SessionLocks::Participant*>>
      byThread;
  // Per server, a participant of each account there: any account with PROCESS may read it.
  std::map<std::string, std::map<std::string, const SessionLocks::Participant*>> servers;
  for (size_t i = 0; i < snaps.size(); ++i) {
    for (const SessionLocks::Participant& p : snaps[i].participants) {
      byThread[{p.server, p.threadId}] = {i, &p};
      servers[p.server].emplace(p.dataSource->username, &p);
    }
  }
  std::vector<txn::WaitEdge> edges;
  std::vector<std::string> serverKeys;  // WaitEdge::server -> host:port
  for (const auto& [key, accounts] : servers) {
    std::vector<std::pair<uint64_t, uint64_t>> waits;
    bool read = false;
    for (const auto& [user, participant] : accounts) {
      if ((read = lockWaits(server(*participant), waits))) break;
    }
    if (!read) continue;
    uint32_t index = static_cast<uint32_t>(serverKeys.size());
    serverKeys.push_back(key);
    for (const auto& [waiter, holder] : waits) {
      auto w = byThread.find({key, waiter});
      auto h = byThread.find({key, holder});
      if (w == byThread.end() || h == byThread.end()) continue;  // not the proxy's
      edges.push_back(txn::WaitEdge{snaps[w->second.first].sessionId,
                                    snaps[h->second.first].sessionId, index, waiter, holder});
    }
  }
  if (edges.empty()) {
    suspects_.clear();
    return;
  }
  std::map<uint64_t, int64_t> startedAt;
  std::map<uint64_t, size_t> snapOf;
  for (size_t i = 0; i < snaps.size(); ++i) {
    startedAt[snaps[i].sessionId] = snaps[i].transactionStartedNs;
    snapOf[snaps[i].sessionId] = i;
  }
  std::set<std::pair<uint64_t, uint64_t>> found;
  for (uint64_t victim : txn::deadlockVictims(edges, startedAt)) {
    size_t i = snapOf.at(victim);
    std::pair<uint64_t, uint64_t> suspect{victim, snaps[i].statement};
    found.insert(suspect);
    if (!suspects_.count(suspect)) continue;  // seen once: confirmed by the next scan
    // Marked before its statement is stopped, so that the session reads the stop as the
    // deadlock's; a statement that ended meanwhile is left alone.
    if (!owners[i]->markVictim(snaps[i].statement)) continue;
    ++victims_;
    spdlog::info("deadlock across servers: rolling back the transaction of session {}", victim);
    for (const txn::WaitEdge& e : edges) {
      if (e.waiter != victim) continue;
      auto w = byThread.find({serverKeys[e.server], e.waiterThread});
      if (w != byThread.end()) kill(server(*w->second.second), e.waiterThread);
    }
  }
  suspects_ = std::move(found);
}

}  // namespace shardproxy::executor
