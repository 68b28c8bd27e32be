// Distributed deadlock detection. Each server's InnoDB breaks the cycles it sees; a cycle that
// runs through one proxy transaction's connections on two servers it cannot see, and would
// last until innodb_lock_wait_timeout. One detector per process, on its own thread (off the
// sessions' path): when some statement of a transaction has run longer than the threshold
// (proxy-deadlock-detection-milliseconds), it reads the lock waits of the servers that running
// transactions touch (information_schema.INNODB_LOCK_WAITS with INNODB_TRX, whose
// trx_mysql_thread_id names the backend connection), builds the wait-for graph between proxy
// transactions (txn/wait_for_graph.h) and breaks each cycle InnoDB cannot see: the youngest
// member is marked as the victim, its waiting statement killed on its backend (KILL QUERY), and
// its session rolls the whole transaction back and answers 1213 (ShardSession::clientError()).
//
// Sessions tell the detector which backend connections their transaction has (when one joins,
// not per statement) and when a statement runs (two atomic stores).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/topology.h"

namespace shardproxy::executor {

// What the detector knows of one session: shared between the session's worker and the detector.
class SessionLocks {
 public:
  SessionLocks(uint32_t sessionId, std::shared_ptr<const config::Topology> topology)
      : sessionId_(sessionId), topology_(std::move(topology)) {}

  uint32_t sessionId() const { return sessionId_; }

  // ---- the session's side ----
  // A backend connection of the transaction (known to the detector until ended()).
  void joined(const config::DataSource& ds, uint64_t threadId);
  bool knows(uint64_t threadId) const { return threads_.count(threadId) > 0; }
  void ended();
  void statementStarted() {
    if (startedNs_.load(std::memory_order_relaxed) != 0) return;
    statement_.fetch_add(1, std::memory_order_relaxed);
    startedNs_.store(nowNs(), std::memory_order_release);
  }
  void statementEnded() { startedNs_.store(0, std::memory_order_release); }
  // Whether the detector chose the statement running now (or the last one) as a deadlock's
  // victim.
  bool victim() const {
    return victim_.load(std::memory_order_acquire) == statement_.load(std::memory_order_relaxed);
  }
  // The victim's transaction is rolled back: later errors are their own.
  void forgetVictim() { victim_.store(UINT64_MAX, std::memory_order_release); }

  // ---- the detector's side ----
  struct Participant {
    std::string server;  // host:port: one InnoDB
    uint64_t threadId = 0;
    const config::DataSource* dataSource = nullptr;  // valid while `topology` is held
  };
  struct Snapshot {
    uint32_t sessionId = 0;
    int64_t transactionStartedNs = 0;
    int64_t statementStartedNs = 0;  // 0: none running
    uint64_t statement = 0;
    std::vector<Participant> participants;
    std::shared_ptr<const config::Topology> topology;
  };
  Snapshot snapshot() const;
  // Marks `statement` as the victim when it is still the one running.
  bool markVictim(uint64_t statement);

  static int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  const uint32_t sessionId_;
  const std::shared_ptr<const config::Topology> topology_;
  std::set<uint64_t> threads_;  // the session's thread only: joined() takes the lock when new
  mutable std::mutex mutex_;
  std::vector<Participant> participants_;
  int64_t transactionStartedNs_ = 0;
  std::atomic<uint64_t> statement_{0};
  std::atomic<int64_t> startedNs_{0};
  std::atomic<uint64_t> victim_{UINT64_MAX};
};

class DeadlockDetector {
 public:
  // `threshold` 0: no detection (no thread).
  explicit DeadlockDetector(std::chrono::milliseconds threshold);
  ~DeadlockDetector();
  DeadlockDetector(const DeadlockDetector&) = delete;
  DeadlockDetector& operator=(const DeadlockDetector&) = delete;

  bool enabled() const { return threshold_.count() > 0; }
  // A session's state for as long as it lives; null when detection is off.
  std::shared_ptr<SessionLocks> enroll(uint32_t sessionId,
                                       std::shared_ptr<const config::Topology> topology);
  void withdraw(const SessionLocks* locks);

  // Cycles broken so far (for tests and logs).
  uint64_t victims() const { return victims_.load(); }

 private:
  struct Server;
  void run();
  void scan();
  // The lock waits of one server as (waiting thread, holding thread); false when it cannot be
  // asked now.
  bool lockWaits(Server& server, std::vector<std::pair<uint64_t, uint64_t>>& out);
  void kill(Server& server, uint64_t threadId);
  Server& server(const SessionLocks::Participant& p);

  const std::chrono::milliseconds threshold_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<const SessionLocks*, std::weak_ptr<SessionLocks>> sessions_;
  std::atomic<uint64_t> victims_{0};
  // The detector thread's own: a connection per server and account, and the victims the last
  // scan found, (session, statement): one is rolled back only when two scans in a row find it,
  // since the servers' lock waits are read one after the other, not at one instant.
  std::map<std::string, std::unique_ptr<Server>> servers_;
  std::set<std::pair<uint64_t, uint64_t>> suspects_;
  std::thread thread_;
};

}  // namespace shardproxy::executor
