// The example configurations shipped in conf/examples/ must load cleanly: they are what new users
// copy first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "config/topology.h"

namespace shardproxy::config {
namespace {

namespace fs = std::filesystem;

// The tests cannot be told where the sources are (the build files are not ours to change), so
// walk up from this file's compiled-in path; SHARDPROXY_SOURCE_DIR wins when set.
fs::path examplesDir() {
  if (const char* env = std::getenv("SHARDPROXY_SOURCE_DIR")) {
    return fs::path(env) / "conf" / "examples";
  }
  return fs::path(SHARDPROXY_SOURCE_DIR) / "conf" / "examples";
}

std::vector<fs::path> exampleConfigs() {
  std::vector<fs::path> out;
  for (const fs::directory_entry& e : fs::directory_iterator(examplesDir())) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every example loads; the only warning is the one that says read/write splitting is not acted
// on yet. The demo's configuration (conf/demo) too.
TEST(Examples, EveryExampleLoadsWithoutWarnings) {
  ASSERT_TRUE(fs::is_directory(examplesDir())) << examplesDir();
  std::vector<fs::path> configs = exampleConfigs();
  ASSERT_GE(configs.size(), 2u);
  configs.push_back(examplesDir().parent_path() / "demo");
  for (const fs::path& dir : configs) {
    SCOPED_TRACE(dir.string());
    std::shared_ptr<const Topology> t;
    ASSERT_NO_THROW(t = loadTopology(dir.string()));
    if (dir.filename() == "readwrite-splitting") {
      ASSERT_EQ(t->warnings.size(), 1u) << describe(*t);
      EXPECT_THAT(t->warnings[0], ::testing::HasSubstr(": !READWRITE_SPLITTING: read/write "
                                                       "splitting is not implemented yet"));
    } else {
      EXPECT_TRUE(t->warnings.empty()) << describe(*t);
    }
    EXPECT_FALSE(t->databases.empty());
    EXPECT_FALSE(t->authority.users.empty());
    for (const auto& [name, db] : t->databases) {
      EXPECT_NE(db.defaultDataSource(), nullptr) << name;
    }
  }
}

TEST(Examples, Sharding) {
  auto t = loadTopology((examplesDir() / "sharding").string());
  const LogicalDatabase* db = t->findDatabase("sharding_db");
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(db->dataSources.size(), 2u);
  EXPECT_EQ(db->dataSources[1].database, "demo_ds_1");
  ASSERT_EQ(db->rules.size(), 3u);
  EXPECT_EQ(db->rules[0].kind, "SHARDING");
  EXPECT_EQ(db->rules[1].kind, "BROADCAST");
  EXPECT_EQ(db->rules[2].kind, "SINGLE");
  EXPECT_EQ(db->defaultDataSource()->name, "ds_0");
  EXPECT_EQ(t->transactionDefaultType, "XA");
  EXPECT_EQ(t->authority.privilege, PrivilegeType::kDatabasePermitted);
  const User* sharding = t->authority.findUser("sharding", "10.1.2.3");
  ASSERT_NE(sharding, nullptr);
  EXPECT_TRUE(t->authority.mayAccess(*sharding, "sharding_db"));
  EXPECT_FALSE(t->authority.mayAccess(*sharding, "other_db"));
}

TEST(Examples, ReadwriteSplitting) {
  auto t = loadTopology((examplesDir() / "readwrite-splitting").string());
  const LogicalDatabase* db = t->findDatabase("readwrite_splitting_db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dataSources.size(), 3u);
  EXPECT_EQ(db->logicalDataSources.at("readwrite_ds"), "write_ds");
  EXPECT_EQ(db->defaultDataSource()->name, "write_ds");
  EXPECT_NE(t->authority.findUser("app", "10.0.4.2"), nullptr);
  EXPECT_EQ(t->authority.findUser("app", "192.168.0.2"), nullptr);
}

}  // namespace
}  // namespace shardproxy::config
