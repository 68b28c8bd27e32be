#include "txn/wait_for_graph.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace shardproxy::txn {
namespace {

// Proxy transactions 1, 2, 3 ...; servers 0, 1, 2; backend thread ids 100 + 10 * server + txn.
WaitEdge edge(uint64_t waiter, uint64_t holder, uint32_t server) {
  return WaitEdge{waiter, holder, server, 100 + 10 * server + waiter, 100 + 10 * server + holder};
}

TEST(DeadlockVictims, NoWaitsNoVictims) { EXPECT_TRUE(deadlockVictims({}, {}).empty()); }

TEST(DeadlockVictims, ChainIsNotACycle) {
  // 1 waits for 2 on server 0, 2 waits for 3 on server 1: a long wait, nothing to break.
  EXPECT_TRUE(deadlockVictims({edge(1, 2, 0), edge(2, 3, 1)}, {{1, 10}, {2, 20}, {3, 30}}).empty());
}

TEST(DeadlockVictims, TwoServerCycleRollsBackTheYoungest) {
  std::vector<WaitEdge> edges = {edge(1, 2, 0), edge(2, 1, 1)};
  EXPECT_EQ(deadlockVictims(edges, {{1, 10}, {2, 20}}), std::vector<uint64_t>{2});
  EXPECT_EQ(deadlockVictims(edges, {{1, 30}, {2, 20}}), std::vector<uint64_t>{1});
}

TEST(DeadlockVictims, TieGoesToTheLargerId) {
  EXPECT_EQ(deadlockVictims({edge(7, 3, 0), edge(3, 7, 1)}, {{7, 5}, {3, 5}}),
            std::vector<uint64_t>{7});
}

TEST(DeadlockVictims, ThreeWayCycleOverThreeServers) {
  std::vector<WaitEdge> edges = {edge(1, 2, 0), edge(2, 3, 1), edge(3, 1, 2)};
  EXPECT_EQ(deadlockVictims(edges, {{1, 30}, {2, 10}, {3, 20}}), std::vector<uint64_t>{1});
}

TEST(DeadlockVictims, OneServerCycleIsInnodbs) {
  // Both members wait and hold with their one connection on server 0: InnoDB sees it.
  EXPECT_TRUE(deadlockVictims({edge(1, 2, 0), edge(2, 1, 0)}, {{1, 1}, {2, 2}}).empty());
}

TEST(DeadlockVictims, TwoConnectionsOfOneTransactionOnOneServer) {
  // Transaction 1 has two connections on server 0 (two data sources there): through them the
  // cycle is on one server, but InnoDB sees two transactions that never meet.
  std::vector<WaitEdge> edges = {WaitEdge{1, 2, 0, 11, 12}, WaitEdge{2, 1, 0, 12, 13}};
  EXPECT_EQ(deadlockVictims(edges, {{1, 1}, {2, 2}}), std::vector<uint64_t>{2});
}

TEST(DeadlockVictims, WaitingOnItselfAcrossConnections) {
  // One connection of transaction 1 waits for a lock another of its connections holds.
  EXPECT_EQ(deadlockVictims({WaitEdge{1, 1, 0, 11, 12}}, {{1, 1}}), std::vector<uint64_t>{1});
}

TEST(DeadlockVictims, TwoSeparateCyclesTwoVictims) {
  std::vector<WaitEdge> edges = {edge(1, 2, 0), edge(2, 1, 1), edge(3, 4, 0), edge(4, 3, 1),
                                 edge(5, 1, 0)};
  auto victims = deadlockVictims(edges, {{1, 1}, {2, 2}, {3, 4}, {4, 3}, {5, 9}});
  std::sort(victims.begin(), victims.end());
  EXPECT_EQ(victims, (std::vector<uint64_t>{2, 3}));
}

TEST(DeadlockVictims, OneVictimBreaksOverlappingCycles) {
  // 2 is in both cycles (1-2 and 2-3) and the youngest: rolling it back breaks both.
  std::vector<WaitEdge> edges = {edge(1, 2, 0), edge(2, 1, 1), edge(2, 3, 0), edge(3, 2, 1)};
  EXPECT_EQ(deadlockVictims(edges, {{1, 1}, {2, 9}, {3, 2}}), std::vector<uint64_t>{2});
}

TEST(DeadlockVictims, UnknownStartCountsAsOldest) {
  EXPECT_EQ(deadlockVictims({edge(1, 2, 0), edge(2, 1, 1)}, {{1, 5}}), std::vector<uint64_t>{1});
}

TEST(DeadlockVictims, ParallelEdgesOnTwoServers) {
  // 1 and 2 wait for each other on server 0 (InnoDB's cycle) and 2 also waits for 1 on server 1.
  std::vector<WaitEdge> edges = {edge(1, 2, 0), edge(2, 1, 0), edge(2, 1, 1)};
  EXPECT_EQ(deadlockVictims(edges, {{1, 1}, {2, 2}}), std::vector<uint64_t>{2});
}

}  // namespace
}  // namespace shardproxy::txn
