#include "config/topology.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace shardproxy::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

User user(const std::string& name, const std::string& host, bool admin = false) {
  User u;
  u.name = name;
  u.host = host;
  u.admin = admin;
  return u;
}

// Which configured entry findUser picked, as "name@host", or "none".
std::string picked(const Authority& a, const std::string& name, const std::string& client) {
  const User* u = a.findUser(name, client);
  return u == nullptr ? "none" : u->name + "@" + u->host;
}

TEST(FindUser, ExactHostBeatsWildcard) {
  Authority a;
  a.users = {user("app", "%"), user("app", "10.0.0.5"), user("app", "10.0.0.%")};
  EXPECT_EQ(picked(a, "app", "10.0.0.5"), "app@10.0.0.5");
  EXPECT_EQ(picked(a, "app", "10.0.0.6"), "app@10.0.0.%");
  EXPECT_EQ(picked(a, "app", "192.168.1.1"), "app@%");
}

TEST(FindUser, MoreSpecificPatternWinsWhateverTheOrder) {
  Authority a;
  a.users = {user("app", "%"), user("app", "10.%"), user("app", "10.0.%")};
  EXPECT_EQ(picked(a, "app", "10.0.3.4"), "app@10.0.%");
  EXPECT_EQ(picked(a, "app", "10.1.3.4"), "app@10.%");
}

TEST(FindUser, UnderscoreMatchesOneCharacter) {
  Authority a;
  a.users = {user("app", "10.0.0._")};
  EXPECT_EQ(picked(a, "app", "10.0.0.7"), "app@10.0.0._");
  EXPECT_EQ(picked(a, "app", "10.0.0.17"), "none");
}

TEST(FindUser, BackslashEscapesWildcards) {
  Authority a;
  a.users = {user("app", "a\\_b")};
  EXPECT_EQ(picked(a, "app", "a_b"), "app@a\\_b");
  EXPECT_EQ(picked(a, "app", "axb"), "none");
}

TEST(FindUser, HostsCompareCaseInsensitively) {
  Authority a;
  a.users = {user("app", "App.Example.COM"), user("web", "%.EXAMPLE.com")};
  EXPECT_EQ(picked(a, "app", "app.example.com"), "app@App.Example.COM");
  EXPECT_EQ(picked(a, "web", "www.example.com"), "web@%.EXAMPLE.com");
}

TEST(FindUser, LocalhostMatchesLoopbackAddresses) {
  Authority a;
  a.users = {user("admin", "localhost")};
  EXPECT_EQ(picked(a, "admin", "127.0.0.1"), "admin@localhost");
  EXPECT_EQ(picked(a, "admin", "::1"), "admin@localhost");
  EXPECT_EQ(picked(a, "admin", "localhost"), "admin@localhost");
  EXPECT_EQ(picked(a, "admin", "10.0.0.1"), "none");

  Authority ip;
  ip.users = {user("admin", "127.0.0.1")};
  EXPECT_EQ(picked(ip, "admin", "localhost"), "admin@127.0.0.1");
}

TEST(FindUser, LocalhostBeatsWildcardButNotExactAddress) {
  Authority a;
  a.users = {user("u", "%"), user("u", "localhost")};
  EXPECT_EQ(picked(a, "u", "127.0.0.1"), "u@localhost");
  a.users.push_back(user("u", "127.0.0.1"));
  EXPECT_EQ(picked(a, "u", "127.0.0.1"), "u@127.0.0.1");
}

TEST(FindUser, Ipv4MappedClientAddress) {
  Authority a;
  a.users = {user("app", "10.0.0.5"), user("lo", "localhost")};
  EXPECT_EQ(picked(a, "app", "::ffff:10.0.0.5"), "app@10.0.0.5");
  EXPECT_EQ(picked(a, "lo", "::FFFF:127.0.0.1"), "lo@localhost");
}

TEST(FindUser, NameIsCaseSensitiveAndMustExist) {
  Authority a;
  a.users = {user("root", "%")};
  EXPECT_EQ(picked(a, "root", "1.2.3.4"), "root@%");
  EXPECT_EQ(picked(a, "ROOT", "1.2.3.4"), "none");
  EXPECT_EQ(picked(a, "nobody", "1.2.3.4"), "none");
}

TEST(FindUser, LiteralHostDoesNotMatchOthers) {
  Authority a;
  a.users = {user("app", "10.0.0.5")};
  EXPECT_EQ(picked(a, "app", "10.0.0.50"), "none");
}

TEST(MayAccess, AdminAndAllPermitted) {
  Authority a;
  a.users = {user("root", "%", true), user("app", "%")};
  a.privilege = PrivilegeType::kAllPermitted;
  EXPECT_TRUE(a.mayAccess(a.users[1], "anything"));
  a.privilege = PrivilegeType::kDatabasePermitted;
  EXPECT_TRUE(a.mayAccess(a.users[0], "anything"));
  EXPECT_FALSE(a.mayAccess(a.users[1], "anything"));
}

TEST(MayAccess, DatabasePermittedUsesTheUsersOwnMapping) {
  Authority a;
  a.privilege = PrivilegeType::kDatabasePermitted;
  a.users = {user("app", "%"), user("app", "127.0.0.1"), user("ops", "%")};
  a.userDatabases["app@%"] = {"sharding_db", "test_db"};
  a.userDatabases["app@127.0.0.1"] = {"local_db"};
  a.userDatabases["ops@%"] = {"*"};
  EXPECT_TRUE(a.mayAccess(a.users[0], "sharding_db"));
  EXPECT_TRUE(a.mayAccess(a.users[0], "test_db"));
  EXPECT_FALSE(a.mayAccess(a.users[0], "local_db"));
  EXPECT_FALSE(a.mayAccess(a.users[0], "Sharding_DB"));  // case-sensitive, as MySQL on Linux
  EXPECT_TRUE(a.mayAccess(a.users[1], "local_db"));
  EXPECT_FALSE(a.mayAccess(a.users[1], "sharding_db"));
  EXPECT_TRUE(a.mayAccess(a.users[2], "whatever_db"));
}

DataSource dataSource(const std::string& name) {
  DataSource ds;
  ds.name = name;
  ds.host = "h-" + name;
  return ds;
}

TEST(LogicalDatabase, FindDataSource) {
  LogicalDatabase db;
  db.dataSources = {dataSource("ds_0"), dataSource("ds_1")};
  ASSERT_NE(db.findDataSource("ds_1"), nullptr);
  EXPECT_EQ(db.findDataSource("ds_1")->host, "h-ds_1");
  EXPECT_EQ(db.findDataSource("ds_2"), nullptr);
}

TEST(LogicalDatabase, DefaultDataSource) {
  LogicalDatabase db;
  EXPECT_EQ(db.defaultDataSource(), nullptr);

  db.dataSources = {dataSource("ds_0"), dataSource("ds_1")};
  EXPECT_EQ(db.defaultDataSource()->name, "ds_0");

  db.singleDefaultDataSource = "ds_1";
  EXPECT_EQ(db.defaultDataSource()->name, "ds_1");

  // A readwrite-splitting group resolves to its writer.
  db.logicalDataSources["rw"] = "ds_1";
  db.singleDefaultDataSource = "rw";
  EXPECT_EQ(db.defaultDataSource()->name, "ds_1");

  // A discovery group has no fixed writer: fall back to the first data source.
  db.logicalDataSources["discovered"] = "";
  db.singleDefaultDataSource = "discovered";
  EXPECT_EQ(db.defaultDataSource()->name, "ds_0");
}

TEST(Topology, FindDatabaseIsCaseSensitive) {
  Topology t;
  t.databases["sharding_db"].name = "sharding_db";
  ASSERT_NE(t.findDatabase("sharding_db"), nullptr);
  EXPECT_EQ(t.findDatabase("sharding_db")->name, "sharding_db");
  EXPECT_EQ(t.findDatabase("SHARDING_DB"), nullptr);
  EXPECT_EQ(t.findDatabase("other"), nullptr);
}

TEST(Describe, SummarizesEverything) {
  Topology t;
  t.authority.users = {user("root", "%", true), user("app", "10.0.%")};
  t.authority.users[1].password = "secret";
  t.authority.privilege = PrivilegeType::kDatabasePermitted;
  t.authority.userDatabases["app@10.0.%"] = {"sharding_db"};
  t.transactionDefaultType = "XA";
  t.transactionProviderType = "Atomikos";
  t.props.proxyDefaultPort = 3308;
  t.props.other["proxy-hint-enabled"] = "false";
  LogicalDatabase& db = t.databases["sharding_db"];
  db.name = "sharding_db";
  db.file = "conf/database-sharding.yaml";
  DataSource ds = dataSource("ds_0");
  ds.host = "::1";
  ds.port = 3310;
  ds.database = "demo_ds_0";
  ds.username = "root";
  ds.password = "hidden-password";
  ds.minPoolSize = 2;
  ds.maxPoolSize = 20;
  db.dataSources = {ds};
  db.rules = {{"SHARDING", "", "", 1}, {"BROADCAST", "", "", 2}};
  t.warnings = {"f:1: k: unknown key, ignored"};

  std::string text = describe(t);
  EXPECT_THAT(text, HasSubstr("users (2):\n  root@% admin (no password)\n  app@10.0.%\n"));
  EXPECT_THAT(text, HasSubstr("privilege: DATABASE_PERMITTED\n  app@10.0.% -> sharding_db\n"));
  EXPECT_THAT(text, HasSubstr("transaction: XA (provider Atomikos)\n"));
  EXPECT_THAT(text, HasSubstr("  proxy-default-port: 3308\n"));
  EXPECT_THAT(text, HasSubstr("  proxy-hint-enabled: false (not acted on)\n"));
  EXPECT_THAT(text, HasSubstr("  sharding_db (conf/database-sharding.yaml)\n"));
  EXPECT_THAT(text, HasSubstr("    ds_0: [::1]:3310/demo_ds_0 user root, pool 2..20\n"));
  EXPECT_THAT(text, HasSubstr("    default data source: ds_0\n"));
  EXPECT_THAT(text, HasSubstr("    rules: BROADCAST x1, SHARDING x1\n"));
  EXPECT_THAT(text, HasSubstr("warnings (1):\n  f:1: k: unknown key, ignored\n"));
  EXPECT_THAT(text, Not(HasSubstr("secret")));
  EXPECT_THAT(text, Not(HasSubstr("hidden-password")));
}

}  // namespace
}  // namespace shardproxy::config

namespace shardproxy::config {
namespace {

TEST(AuthPluginTest, ResolvesNamesAndAuthenticators) {
  Authority a;
  a.authenticators = {{"sha2", "CACHING_SHA2_PASSWORD"}, {"native", "MySQLNativePassword"},
                      {"clear", "CLEAR_TEXT"}};
  User u;
  EXPECT_EQ(a.authPluginFor(u), "");
  u.authenticationMethodName = "caching_sha2_password";
  EXPECT_EQ(a.authPluginFor(u), "caching_sha2_password");
  u.authenticationMethodName = "sha2";
  EXPECT_EQ(a.authPluginFor(u), "caching_sha2_password");
  u.authenticationMethodName = "native";
  EXPECT_EQ(a.authPluginFor(u), "mysql_native_password");
  u.authenticationMethodName = "clear";
  EXPECT_EQ(a.authPluginFor(u), "");
  u.authenticationMethodName = "";
  a.defaultAuthenticator = "sha2";
  EXPECT_EQ(a.authPluginFor(u), "caching_sha2_password");
}

}  // namespace
}  // namespace shardproxy::config

namespace shardproxy::config {
namespace {

// proxy-meta-data-collector-cron: the Quartz expressions that are a fixed period.
TEST(CronPeriod, FixedPeriodsAreTaken) {
  EXPECT_EQ(cronPeriodSeconds("0 0/1 * * * ?"), 60);  // ShardingSphere's default
  EXPECT_EQ(cronPeriodSeconds("0 0/5 * * * ?"), 300);
  EXPECT_EQ(cronPeriodSeconds("0 */15 * * * ? *"), 900);
  EXPECT_EQ(cronPeriodSeconds("0 * * * * ?"), 60);
  EXPECT_EQ(cronPeriodSeconds("0/1 * * * * ?"), 1);
  EXPECT_EQ(cronPeriodSeconds("*/30 * * * * ?"), 30);
  EXPECT_EQ(cronPeriodSeconds("* * * * * ?"), 1);
  EXPECT_EQ(cronPeriodSeconds("0 0 0/2 * * ?"), 7200);
  EXPECT_EQ(cronPeriodSeconds("  0   0/1 * * *  ? "), 60);
}

TEST(CronPeriod, AnythingElseIsRefused) {
  for (const char* cron : {"", "0 0/1 * * *", "0 0 12 * * ?", "0 0/7 * * * ?", "0 0/0 * * * ?",
                           "0 0/1 * 1 * ?", "0 0/1 * * MON ?", "5/10 * * * * ?", "0 1-5 * * * ?",
                           "0 0/1 * * * ? * *", "x 0/1 * * * ?", "0 0/60 * * * ?"}) {
    EXPECT_EQ(cronPeriodSeconds(cron), std::nullopt) << cron;
  }
}

}  // namespace
}  // namespace shardproxy::config
