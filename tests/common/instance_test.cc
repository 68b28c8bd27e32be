#include "common/instance.h"

#include <gtest/gtest.h>

#include <set>

namespace shardproxy {
namespace {

TEST(WorkerId, Integers) {
  EXPECT_EQ(*parseWorkerId("0"), 0);
  EXPECT_EQ(*parseWorkerId("1"), 1);
  EXPECT_EQ(*parseWorkerId("1023"), 1023);
  EXPECT_EQ(*parseWorkerId("007"), 7);
  for (const char* bad :
       {"1024", "-1", "+1", " 1", "1 ", "", "1e3", "99999999999999999999", "0x1"}) {
    auto r = parseWorkerId(bad);
    EXPECT_FALSE(r.isOk()) << bad;
  }
}

TEST(WorkerId, StatefulSetPodNames) {
  EXPECT_EQ(*parseWorkerId("shardproxy-0"), 0);
  EXPECT_EQ(*parseWorkerId("shardproxy-2"), 2);
  EXPECT_EQ(*parseWorkerId("my-proxy-set-17"), 17);
  EXPECT_EQ(*parseWorkerId("a-1023"), 1023);
  for (const char* bad : {"shardproxy", "shardproxy-", "-2", "shardproxy-1024", "shardproxy-2a",
                          "shardproxy-x", "shardproxy-2-"}) {
    auto r = parseWorkerId(bad);
    ASSERT_FALSE(r.isOk()) << bad;
    EXPECT_NE(r.status().message().find("StatefulSet"), std::string::npos);
    EXPECT_NE(r.status().message().find(bad), std::string::npos);
  }
}

TEST(ConnectionId, WorkerZeroKeepsTheOldIds) {
  for (uint64_t n : {1u, 2u, 3u, 1000u}) EXPECT_EQ(connectionIdOf(0, n), n);
}

TEST(ConnectionId, WorkerInTheHighBits) {
  EXPECT_EQ(connectionIdOf(1, 1), (1u << 22) | 1u);
  EXPECT_EQ(connectionIdOf(1023, 5), (1023u << 22) | 5u);
  EXPECT_EQ(workerIdOfConnection(connectionIdOf(1023, 5)), 1023);
  EXPECT_EQ(workerIdOfConnection(connectionIdOf(0, 5)), 0);
  // Two instances never hand out the same id, whatever their counters.
  std::set<uint32_t> seen;
  for (int w : {1, 2}) {
    for (uint64_t n = 1; n < 2000; ++n) EXPECT_TRUE(seen.insert(connectionIdOf(w, n)).second);
  }
}

TEST(ConnectionId, CounterWrapsWithinItsBitsAndSkipsZero) {
  const uint64_t mask = kConnectionCounterMask;
  EXPECT_EQ(connectionIdOf(3, mask), (3u << 22) | static_cast<uint32_t>(mask));
  EXPECT_EQ(connectionIdOf(3, mask + 1), (3u << 22) | 1u);
  EXPECT_EQ(connectionIdOf(0, mask), static_cast<uint32_t>(mask));
  EXPECT_EQ(connectionIdOf(0, mask + 1), 1u);
  for (uint64_t n = mask - 3; n < mask + 3; ++n) {
    EXPECT_NE(connectionIdOf(0, n), 0u);
    EXPECT_EQ(workerIdOfConnection(connectionIdOf(7, n)), 7);
  }
}

}  // namespace
}  // namespace shardproxy
