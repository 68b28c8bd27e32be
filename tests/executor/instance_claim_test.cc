#include "executor/instance_claim.h"

#include <gtest/gtest.h>

namespace shardproxy::executor {
namespace {

// MariaDB refuses lock names longer than 64 characters (ER_TOO_LONG_IDENT); the longest ids fit.
TEST(InstanceClaimTest, LockNamesFitMariaDbLimit) {
  EXPECT_EQ(workerClaim(2).lock, "shardproxy.worker.2");
  EXPECT_LE(workerClaim(1023).lock.size(), 64u);
  const std::string instance = "0123456789abcdef";
  EXPECT_EQ(xaInstanceClaim(instance).lock, "shardproxy.xa.0123456789abcdef");
  EXPECT_LE(xaInstanceClaim(instance).lock.size(), 64u);
  EXPECT_NE(workerClaim(2).hint.find("--worker-id 2"), std::string::npos);
  EXPECT_NE(xaInstanceClaim(instance).hint.find("--data-dir"), std::string::npos);
}

// A topology without data sources claims nothing and does not fail.
TEST(InstanceClaimTest, NoServersNothingToClaim) {
  config::Topology topology;
  auto claim = InstanceClaim::take(topology, {workerClaim(1)});
  ASSERT_TRUE(claim.isOk()) << claim.status().message();
  EXPECT_EQ((*claim)->serversHeld(), 0u);
}

// An unreachable server is skipped at start, within the connect timeout, not refused.
TEST(InstanceClaimTest, UnreachableServerIsSkipped) {
  config::Topology topology;
  config::LogicalDatabase db;
  config::DataSource ds;
  ds.name = "ds_gone";
  ds.host = "127.0.0.1";
  ds.port = 1;  // nothing listens there
  ds.username = "x";
  db.dataSources.push_back(ds);
  topology.databases.emplace("db", db);
  auto started = std::chrono::steady_clock::now();
  auto claim = InstanceClaim::take(topology, {workerClaim(1)});
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  std::printf("unreachable server skipped in %lld ms\n", static_cast<long long>(ms));
  ASSERT_TRUE(claim.isOk()) << claim.status().message();
  EXPECT_EQ((*claim)->serversHeld(), 0u);
}

}  // namespace
}  // namespace shardproxy::executor
