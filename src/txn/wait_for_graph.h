// Deadlocks that span servers: each server's InnoDB sees the lock waits of its own connections
// only, so a cycle that runs through a proxy transaction's connections on two servers (or two
// connections of one transaction on one server) is invisible to it and would last until
// innodb_lock_wait_timeout. The wait-for graph is built from every server's lock waits, between
// proxy transactions; a cycle InnoDB cannot see is broken by rolling back its youngest member.
// Pure code: the lock waits come from executor/deadlock_detector.h.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace shardproxy::txn {

// On `server`, backend connection `waiterThread` of proxy transaction `waiter` waits for a lock
// that connection `holderThread` of proxy transaction `holder` holds.
struct WaitEdge {
  uint64_t waiter = 0;
  uint64_t holder = 0;
  uint32_t server = 0;
  uint64_t waiterThread = 0;
  uint64_t holderThread = 0;
};

// The proxy transactions to roll back so that no cycle InnoDB cannot see is left: for each such
// cycle, its youngest member (the latest `startedAt`; on a tie the larger id), as InnoDB picks
// the transaction that has done the least. `startedAt` by transaction; a transaction missing
// from it counts as oldest. Cycles that InnoDB sees whole (every member waits and holds on one
// server with one connection) are left to it.
std::vector<uint64_t> deadlockVictims(const std::vector<WaitEdge>& edges,
                                      const std::map<uint64_t, int64_t>& startedAt);

}  // namespace shardproxy::txn
