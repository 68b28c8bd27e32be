// SHOW GRANTS from the proxy's authority rule and SHOW CREATE DATABASE under the logical name.
#include "admin/show_account.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser/ast.h"

namespace shardproxy::admin {
namespace {

config::Topology topology() {
  config::Topology t;
  t.authority.privilege = config::PrivilegeType::kDatabasePermitted;
  auto user = [](const char* name, const char* host, bool admin = false, bool file = false) {
    config::User u;
    u.name = name;
    u.host = host;
    u.admin = admin;
    u.filePrivilege = file;
    return u;
  };
  t.authority.users = {user("root", "%", true), user("app", "%"),
                       user("loader", "10.0.0.%", false, true), user("all", "localhost"),
                       user("nobody", "%")};
  t.authority.userDatabases = {{"app@%", {"sharding_db"}},
                               {"loader@10.0.0.%", {"shop", "planned"}},
                               {"all@localhost", {"*"}}};
  for (const char* name : {"sharding_db", "shop"}) t.databases[name].name = name;
  return t;
}

std::optional<GrantsRequest> grants(const std::string& sql, parser::LexMode mode = {}) {
  auto parsed = parser::ast::parseAst(sql, mode);
  EXPECT_TRUE(parsed.isOk()) << sql;
  if (!parsed.isOk()) return std::nullopt;
  return grantsRequest(parsed.value(), mode);
}

std::vector<std::string> lines(const config::Topology& t, const config::User& user,
                               const GrantsRequest& request) {
  Result<TextRows> out = showGrants(t, user, request);
  EXPECT_TRUE(out.isOk()) << out.status().toString();
  std::vector<std::string> all;
  if (!out.isOk()) return all;
  all.push_back(out->columns.at(0));
  for (const auto& row : out->rows) all.push_back(row.at(0));
  return all;
}

TEST(ShowAccountTest, ReadsTheAccountOfShowGrants) {
  for (const char* sql : {"SHOW GRANTS", "show grants for current_user",
                          "SHOW GRANTS FOR CURRENT_USER()", "/*!50000 SHOW GRANTS */"}) {
    auto r = grants(sql);
    ASSERT_TRUE(r) << sql;
    EXPECT_EQ(r->user, "") << sql;
  }
  struct Case {
    const char* sql;
    const char* user;
    const char* host;
  } cases[] = {
      {"SHOW GRANTS FOR app", "app", "%"},
      {"SHOW GRANTS FOR 'app'@'%'", "app", "%"},
      {"SHOW GRANTS FOR `app` @ `localhost`", "app", "localhost"},
      {"SHOW GRANTS FOR app@localhost", "app", "localhost"},
      {"SHOW GRANTS FOR \"o'k\"@'10.0.0.%'", "o'k", "10.0.0.%"},
      {"SHOW GRANTS FOR 'it''s'@'h'", "it's", "h"},
      {"SHOW GRANTS FOR 'a\\'b\\n'@'h'", "a'b\n", "h"},
  };
  for (const Case& c : cases) {
    auto r = grants(c.sql);
    ASSERT_TRUE(r) << c.sql;
    EXPECT_EQ(r->user, c.user) << c.sql;
    EXPECT_EQ(r->host, c.host) << c.sql;
  }
  EXPECT_FALSE(grants("SHOW PRIVILEGES"));
  EXPECT_FALSE(grants("SHOW CREATE DATABASE shop"));
}

TEST(ShowAccountTest, GrantsFollowTheAuthorityRule) {
  config::Topology t = topology();
  const auto& users = t.authority.users;
  EXPECT_EQ(
      lines(t, users[0], {}),
      (std::vector<std::string>{"Grants for root@%", "GRANT ALL PRIVILEGES ON *.* TO `root`@`%`"}));
  EXPECT_EQ(lines(t, users[1], {}),
            (std::vector<std::string>{"Grants for app@%", "GRANT USAGE ON *.* TO `app`@`%`",
                                      "GRANT ALL PRIVILEGES ON `sharding\\_db`.* TO `app`@`%`"}));
  // FILE on *.*; a mapped database that is not configured is listed as MySQL lists a grant on
  // a database that does not exist.
  EXPECT_EQ(lines(t, users[2], {}),
            (std::vector<std::string>{"Grants for loader@10.0.0.%",
                                      "GRANT FILE ON *.* TO `loader`@`10.0.0.%`",
                                      "GRANT ALL PRIVILEGES ON `planned`.* TO `loader`@`10.0.0.%`",
                                      "GRANT ALL PRIVILEGES ON `shop`.* TO `loader`@`10.0.0.%`"}));
  // `*` in the mappings: each configured database.
  EXPECT_EQ(lines(t, users[3], {}),
            (std::vector<std::string>{
                "Grants for all@localhost", "GRANT USAGE ON *.* TO `all`@`localhost`",
                "GRANT ALL PRIVILEGES ON `sharding\\_db`.* TO `all`@`localhost`",
                "GRANT ALL PRIVILEGES ON `shop`.* TO `all`@`localhost`"}));
  EXPECT_EQ(
      lines(t, users[4], {}),
      (std::vector<std::string>{"Grants for nobody@%", "GRANT USAGE ON *.* TO `nobody`@`%`"}));
  // ALL_PERMITTED: every user may use every database, and no more than that.
  t.authority.privilege = config::PrivilegeType::kAllPermitted;
  EXPECT_EQ(lines(t, users[4], {}),
            (std::vector<std::string>{"Grants for nobody@%", "GRANT USAGE ON *.* TO `nobody`@`%`",
                                      "GRANT ALL PRIVILEGES ON `sharding\\_db`.* TO `nobody`@`%`",
                                      "GRANT ALL PRIVILEGES ON `shop`.* TO `nobody`@`%`"}));
}

TEST(ShowAccountTest, AnotherAccountIsForAdmins) {
  config::Topology t = topology();
  const auto& users = t.authority.users;
  // An admin about another user; the host compares without case.
  EXPECT_EQ(lines(t, users[0], {"loader", "10.0.0.%"}).at(0), "Grants for loader@10.0.0.%");
  EXPECT_EQ(lines(t, users[0], {"all", "LOCALHOST"}).at(0), "Grants for all@localhost");
  Result<TextRows> unknown = showGrants(t, users[0], {"ghost", "%"});
  ASSERT_FALSE(unknown.isOk());
  EXPECT_EQ(unknown.status().code(), 1141);
  EXPECT_EQ(unknown.status().message(),
            "There is no such grant defined for user 'ghost' on host '%'");
  // A host that is not the account's is another account.
  EXPECT_EQ(showGrants(t, users[0], {"app", "localhost"}).status().code(), 1141);
  // Anyone about themselves; a non-admin about anyone else: 1044 on mysql, as MySQL.
  EXPECT_EQ(lines(t, users[1], {"app", "%"}).at(0), "Grants for app@%");
  Result<TextRows> other = showGrants(t, users[1], {"root", "%"});
  ASSERT_FALSE(other.isOk());
  EXPECT_EQ(other.status().code(), 1044);
  EXPECT_EQ(other.status().message(), "Access denied for user 'app'@'%' to database 'mysql'");
  EXPECT_EQ(showGrants(t, users[1], {"ghost", "%"}).status().code(), 1044);
}

TEST(ShowAccountTest, ReadsShowCreateDatabase) {
  auto request = [](const std::string& sql) -> std::optional<CreateDatabaseRequest> {
    auto parsed = parser::ast::parseAst(sql);
    EXPECT_TRUE(parsed.isOk()) << sql;
    if (!parsed.isOk()) return std::nullopt;
    return createDatabaseRequest(parsed.value(), {});
  };
  auto r = request("SHOW CREATE DATABASE `sharding_db`");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->database, "sharding_db");
  EXPECT_FALSE(r->ifNotExists);
  r = request("show create schema if not exists shop");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->database, "shop");
  EXPECT_TRUE(r->ifNotExists);
  EXPECT_FALSE(request("SHOW CREATE TABLE shop.t"));
  EXPECT_FALSE(request("SHOW TRIGGERS FROM shop"));
}

TEST(ShowAccountTest, CreateDatabaseTextTakesTheLogicalName) {
  const std::string options =
      " /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */";
  EXPECT_EQ(logicalCreateDatabase("CREATE DATABASE `ds_0`" + options, "ds_0", "sharding_db"),
            "CREATE DATABASE `sharding_db`" + options);
  EXPECT_EQ(logicalCreateDatabase("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `ds_0`" + options,
                                  "ds_0", "a`b"),
            "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `a``b`" + options);
  // ANSI_QUOTES, and sql_quote_show_create off.
  EXPECT_EQ(logicalCreateDatabase("CREATE DATABASE \"ds_0\"" + options, "ds_0", "shop"),
            "CREATE DATABASE \"shop\"" + options);
  EXPECT_EQ(logicalCreateDatabase("CREATE DATABASE ds_0" + options, "ds_0", "shop"),
            "CREATE DATABASE shop" + options);
  // Another database's text, or another form: not rewritten.
  EXPECT_FALSE(logicalCreateDatabase("CREATE DATABASE `ds_01`" + options, "ds_0", "shop"));
  EXPECT_FALSE(logicalCreateDatabase("CREATE DATABASE ds_01" + options, "ds_0", "shop"));
  EXPECT_FALSE(logicalCreateDatabase("CREATE TABLE `ds_0`", "ds_0", "shop"));
}

}  // namespace
}  // namespace shardproxy::admin
