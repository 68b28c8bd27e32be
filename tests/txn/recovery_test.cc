#include "txn/recovery.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shardproxy::txn {
namespace {

config::DataSource source(std::string name, uint16_t port, std::string user) {
  config::DataSource ds;
  ds.name = std::move(name);
  ds.host = "127.0.0.1";
  ds.port = port;
  ds.username = std::move(user);
  return ds;
}

std::vector<std::vector<std::string>> names(
    const std::vector<std::vector<const config::DataSource*>>& servers) {
  std::vector<std::vector<std::string>> out;
  for (const auto& accounts : servers) {
    out.emplace_back();
    for (const config::DataSource* ds : accounts) out.back().push_back(ds->name);
  }
  return out;
}

TEST(RecoveryServersTest, OneEntryPerServerWithEveryAccountOnIt) {
  // One least-privilege account per data source: four accounts on two servers are still two
  // servers to recover, each asked once.
  config::Topology topology;
  config::LogicalDatabase shop;
  shop.name = "shop";
  shop.dataSources = {source("shop_ds", 3306, "sp_shop")};
  config::LogicalDatabase sharding;
  sharding.name = "sharding_db";
  sharding.dataSources = {source("ds_0", 3306, "sp_ds_0"), source("ds_1", 3307, "sp_ds_1"),
                          source("ds_2", 3306, "sp_ds_2")};
  topology.databases["sharding_db"] = sharding;
  topology.databases["shop"] = shop;

  EXPECT_EQ(names(recoveryServers(topology)),
            (std::vector<std::vector<std::string>>{{"ds_0", "ds_2", "shop_ds"}, {"ds_1"}}));
}

TEST(RecoveryServersTest, SameAccountTwiceIsOneServer) {
  config::Topology topology;
  config::LogicalDatabase db;
  db.name = "db";
  db.dataSources = {source("a", 3306, "root"), source("b", 3306, "root")};
  topology.databases["db"] = db;
  EXPECT_EQ(names(recoveryServers(topology)), (std::vector<std::vector<std::string>>{{"a", "b"}}));
  EXPECT_TRUE(recoveryServers(config::Topology{}).empty());
}

}  // namespace
}  // namespace shardproxy::txn
