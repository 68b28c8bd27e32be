#include "txn/failpoint.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "common/log.h"

namespace shardproxy::txn {
namespace {

TEST(FailpointTest, ListParsing) {
  EXPECT_TRUE(failpointListed("a", "a"));
  EXPECT_TRUE(failpointListed("a,b,c", "b"));
  EXPECT_TRUE(failpointListed(" a , b ", "b"));
  EXPECT_TRUE(failpointListed("a,,c", "c"));
  EXPECT_FALSE(failpointListed("ab,c", "a"));
  EXPECT_FALSE(failpointListed("a,b", "ab"));
  EXPECT_FALSE(failpointListed("a,b", "a,b"));
  EXPECT_FALSE(failpointListed("", "a"));
  EXPECT_FALSE(failpointListed("a,,b", ""));
}

TEST(FailpointTest, InertWhenUnset) {
  if (std::getenv("SHARDPROXY_FAILPOINTS")) GTEST_SKIP() << "SHARDPROXY_FAILPOINTS is set";
  EXPECT_FALSE(failpointEnabled("xa.after_log_commit"));
  failpoint("xa.after_log_commit");  // returns
}

TEST(FailpointDeathTest, KillsWhenEnabled) {
  // A fresh process for the statement, so the variable set in it is the one read first.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        initLogging("info");  // the process logger writes to stderr, which the death test reads
        setenv("SHARDPROXY_FAILPOINTS", "other, xa.after_log_commit", 1);
        failpoint("not.listed");
        failpoint("xa.after_log_commit");
        std::exit(0);
      },
      testing::KilledBySignal(SIGKILL), "failpoint xa.after_log_commit: stopping");
}

}  // namespace
}  // namespace shardproxy::txn

namespace shardproxy::txn {
namespace {

TEST(FailpointAction, PlainNamesAndActions) {
  EXPECT_EQ(failpointAction("a, b=pause:200 ,c", "a"), std::optional<std::string_view>(""));
  EXPECT_EQ(failpointAction("a, b=pause:200 ,c", "b"),
            std::optional<std::string_view>("pause:200"));
  EXPECT_EQ(failpointAction("a, b=pause:200 ,c", "c"), std::optional<std::string_view>(""));
  EXPECT_FALSE(failpointAction("a, b=pause:200 ,c", "pause:200").has_value());
  EXPECT_FALSE(failpointAction("ab", "a").has_value());
  EXPECT_TRUE(failpointListed("x=pause:1", "x"));
}

}  // namespace
}  // namespace shardproxy::txn
