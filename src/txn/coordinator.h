// The process-wide side of XA transactions: the coordinator log (durable commit decisions), the
// xids of this instance, the transactions running now, and recovery of what a crash left
// prepared. One per proxy process, shared by every worker.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"
#include "txn/active_transactions.h"
#include "txn/coordinator_log.h"
#include "txn/xid.h"

namespace shardproxy::txn {

// What recovery found, for SHOW DIST VARIABLES and the log.
struct RecoveryCounters {
  std::atomic<uint64_t> runs{0};
  std::atomic<uint64_t> inDoubt{0};      // prepared branches found since start
  std::atomic<uint64_t> committed{0};    // of those, committed (their decision was logged)
  std::atomic<uint64_t> rolledBack{0};   // of those, rolled back (presumed abort)
  std::atomic<uint64_t> unreachable{0};  // servers not reachable at the last run
};

class Coordinator {
 public:
  // Opens (creating) the coordinator log in <dataDir>/xa. Without it no XA transaction could
  // keep its promise, so a failure here stops the proxy from starting.
  static Result<std::unique_ptr<Coordinator>> open(const std::string& dataDir);
  // Over any decision log (tests inject failures through a fake one); such a coordinator runs
  // no recovery.
  Coordinator(CommitLog& log, std::string instance, uint64_t boot);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // A new transaction's gtrid, registered as running before any branch exists, so recovery
  // never takes one of its branches for abandoned.
  std::string begin();
  // The transaction is over (committed, rolled back, or its branches gone with their
  // connections): recovery may settle what is left of it.
  void ended(const std::string& gtrid) { active_.remove(gtrid); }
  bool running(const std::string& gtrid) const { return active_.contains(gtrid); }

  // The synced commit decision, written off the caller's thread (which goes on serving its
  // other sessions; concurrent decisions share one fsync). An error means nothing may commit.
  awaitable<Status> decideCommit(const std::string& gtrid, std::vector<std::string> dataSources);
  // Every branch committed: the decision is no longer needed.
  void committed(const std::string& gtrid);
  // A branch could not commit after the decision: recovery finishes it, at its next check.
  void recoverSoon() { wanted_ = true; }

  // Recovery at start-up, then every kRecoveryInterval; checked every kRecoveryCheck, a pass
  // runs sooner while a server is unreachable or a branch unsettled, or after recoverSoon().
  // Returns once `stopping` is set.
  awaitable<void> recoveryLoop(const config::Topology& topology, const std::atomic<bool>& stopping);
  static constexpr std::chrono::seconds kRecoveryInterval{60};
  static constexpr std::chrono::seconds kRecoveryCheck{2};

  const RecoveryCounters& counters() const { return counters_; }
  const XidGenerator& xids() const { return xids_; }

 private:
  explicit Coordinator(std::unique_ptr<CoordinatorLog> durable);

  std::unique_ptr<CoordinatorLog> durable_;  // null for a coordinator over another log
  CommitLog& log_;
  XidGenerator xids_;
  ActiveTransactions active_;
  RecoveryCounters counters_;
  std::atomic<bool> wanted_{false};
  // Threads for the synced log writes.
  asio::thread_pool blocking_;
};

}  // namespace shardproxy::txn
