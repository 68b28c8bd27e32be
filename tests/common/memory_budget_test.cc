// The process's and a statement's memory budgets: limits, errors, chunked reservations, and
// everything given back.
#include "common/memory_budget.h"

#include <gtest/gtest.h>

#include <memory>

namespace shardproxy {
namespace {

constexpr uint64_t kChunk = MemoryTracker::kChunk;

TEST(ProcessMemory, ReservesWithinItsLimit) {
  ProcessMemory p(3 * kChunk);
  EXPECT_TRUE(p.reserve(2 * kChunk));
  EXPECT_FALSE(p.reserve(2 * kChunk));  // would pass the limit: nothing reserved
  EXPECT_EQ(p.used(), 2 * kChunk);
  EXPECT_TRUE(p.reserve(kChunk));
  p.release(3 * kChunk);
  EXPECT_EQ(p.used(), 0u);
}

TEST(ProcessMemory, ZeroIsUnlimited) {
  ProcessMemory p(0);
  EXPECT_TRUE(p.reserve(uint64_t{1} << 40));
  EXPECT_EQ(p.used(), uint64_t{1} << 40);
}

TEST(MemoryTracker, StatementLimitIsError1038) {
  MemoryTracker t(1000, nullptr);
  EXPECT_TRUE(t.charge(600));
  EXPECT_TRUE(t.charge(400));  // exactly the limit
  Status s = t.charge(1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), 1038);
  EXPECT_EQ(s.sqlState(), "HY001");
  EXPECT_NE(s.message().find("more than 1000 bytes"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("proxy-merge-max-memory-bytes"), std::string::npos);
  t.release(1001);  // what failed counts as held until released
  EXPECT_EQ(t.used(), 0u);
  EXPECT_EQ(t.peak(), 1001u);
  EXPECT_TRUE(t.charge(1000));
}

TEST(MemoryTracker, SmallChargesTouchTheProcessOncePerChunk) {
  ProcessMemory p(0);
  {
    MemoryTracker t(0, &p);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(t.charge(100));
    EXPECT_EQ(p.used(), kChunk);  // 100 kB held: one chunk reserved
    ASSERT_TRUE(t.charge(kChunk));
    EXPECT_EQ(p.used(), 2 * kChunk);
  }
  EXPECT_EQ(p.used(), 0u);  // the destructor gave everything back
}

TEST(MemoryTracker, ReleasedChunksGoBackToTheProcess) {
  ProcessMemory p(0);
  MemoryTracker t(0, &p);
  ASSERT_TRUE(t.charge(10 * kChunk));
  EXPECT_EQ(p.used(), 10 * kChunk);
  t.release(10 * kChunk);
  EXPECT_LE(p.used(), 2 * kChunk);  // at most a little kept for what comes next
  ASSERT_TRUE(t.charge(kChunk / 2));
  EXPECT_GE(p.used(), kChunk);
}

TEST(MemoryTracker, ProcessLimitIsError1041AcrossStatements) {
  ProcessMemory p(8 * kChunk);
  auto first = std::make_unique<MemoryTracker>(0, &p);
  MemoryTracker second(0, &p);
  ASSERT_TRUE(first->charge(5 * kChunk));
  ASSERT_TRUE(second.charge(2 * kChunk));
  Status s = second.charge(2 * kChunk);  // 9 chunks together
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), 1041);
  EXPECT_EQ(s.sqlState(), "HY000");
  EXPECT_NE(s.message().find("proxy-memory-limit"), std::string::npos) << s.message();
  second.release(2 * kChunk);
  first.reset();  // the first statement ends: its memory is the others' again
  EXPECT_TRUE(second.charge(6 * kChunk));
  EXPECT_LE(p.used(), 8 * kChunk);
}

TEST(MemoryTracker, StatementLimitComesBeforeTheProcessLimit) {
  ProcessMemory p(4 * kChunk);
  MemoryTracker t(kChunk, &p);
  Status s = t.charge(2 * kChunk);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), 1038);
  EXPECT_EQ(p.used(), 0u);  // nothing reserved for a charge past the statement's own limit
}

}  // namespace
}  // namespace shardproxy
