// SHOW GRANTS lines as MariaDB 10.11 prints them (copied from a server), and what of them goes
// beyond what the proxy needs from a data source.
#include "executor/backend_grants.h"

#include <gtest/gtest.h>

namespace shardproxy::executor {
namespace {

using Strings = std::vector<std::string>;
using Grantees = std::vector<Grantee>;

TEST(ParseGrantLineTest, UsageWithPasswordHash) {
  auto g = parseGrantLine(
      "GRANT USAGE ON *.* TO `sp_ds0`@`127.0.0.1` IDENTIFIED BY PASSWORD "
      "'*7B9EBEED26AA52ED10C0F549FA863F13C39E0209'");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, GrantLine::Kind::kPrivileges);
  EXPECT_EQ(g->privileges, Strings{"USAGE"});
  EXPECT_EQ(g->database, "*");
  EXPECT_EQ(g->table, "*");
  EXPECT_EQ(g->grantee, (Grantee{"sp_ds0", "127.0.0.1", false}));
  EXPECT_FALSE(g->grantOption);
}

TEST(ParseGrantLineTest, AllPrivilegesOnADatabaseWithEscapedUnderscore) {
  auto g = parseGrantLine("GRANT ALL PRIVILEGES ON `demo\\_ds\\_0`.* TO `sp_ds0`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges, Strings{"ALL PRIVILEGES"});
  EXPECT_EQ(g->database, "demo\\_ds\\_0");
  EXPECT_EQ(g->table, "*");
  EXPECT_EQ(g->grantee.host, "%");
}

TEST(ParseGrantLineTest, MultiWordPrivilegesColumnsAndGrantOption) {
  auto g = parseGrantLine(
      "GRANT SELECT (`a`, `b`), UPDATE (`a`), CREATE TEMPORARY TABLES, DELETE HISTORY ON "
      "`gx2`.`t` TO `gu3`@`%` WITH GRANT OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges,
            (Strings{"SELECT", "UPDATE", "CREATE TEMPORARY TABLES", "DELETE HISTORY"}));
  EXPECT_EQ(g->database, "gx2");
  EXPECT_EQ(g->table, "t");
  EXPECT_TRUE(g->grantOption);
}

TEST(ParseGrantLineTest, GlobalWithAuthenticationPluginsAndLimits) {
  auto g = parseGrantLine(
      "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA mysql_native_password "
      "USING '*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B' OR unix_socket WITH GRANT OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges, Strings{"ALL PRIVILEGES"});
  EXPECT_TRUE(g->grantOption);

  g = parseGrantLine(
      "GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO `gu3`@`%` IDENTIFIED BY "
      "PASSWORD '*7B9EBEED26AA52ED10C0F549FA863F13C39E0209' REQUIRE SSL WITH "
      "MAX_QUERIES_PER_HOUR 100");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges, (Strings{"RELOAD", "PROCESS", "BINLOG MONITOR", "SLAVE MONITOR"}));
  EXPECT_FALSE(g->grantOption);
}

TEST(ParseGrantLineTest, Routines) {
  auto g = parseGrantLine("GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `gx1`.`p` TO `gu3`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->routineKind, "PROCEDURE");
  EXPECT_EQ(g->database, "gx1");
  EXPECT_EQ(g->table, "p");
  g = parseGrantLine("GRANT EXECUTE ON PACKAGE BODY `gx1`.`pk` TO `gu3`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->routineKind, "PACKAGE BODY");
}

TEST(ParseGrantLineTest, RolesPublicAndProxy) {
  auto g = parseGrantLine("GRANT `r1` TO `gu3`@`%` WITH ADMIN OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, GrantLine::Kind::kRoles);
  EXPECT_EQ(g->roles, (Grantees{{"r1", "", false}}));
  EXPECT_TRUE(g->grantOption);

  g = parseGrantLine("GRANT `r2` TO `r1`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->grantee, (Grantee{"r1", "", false}));
  EXPECT_FALSE(g->grantOption);

  g = parseGrantLine("GRANT SELECT ON `gx1`.* TO PUBLIC");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->grantee.isPublic);

  g = parseGrantLine("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, GrantLine::Kind::kProxy);
  EXPECT_EQ(g->proxied, (Grantee{"", "%", false}));
  EXPECT_EQ(g->grantee, (Grantee{"root", "localhost", false}));
  EXPECT_TRUE(g->grantOption);
}

TEST(ParseGrantLineTest, MySqlForms) {
  // MySQL 8: a role with a host, dynamic privileges on a line of their own.
  auto g = parseGrantLine("GRANT `app_role`@`%` TO `u`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, GrantLine::Kind::kRoles);
  EXPECT_EQ(g->roles, (Grantees{{"app_role", "%", false}}));
  g = parseGrantLine("GRANT XA_RECOVER_ADMIN ON *.* TO `u`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges, Strings{"XA_RECOVER_ADMIN"});
}

TEST(ParseGrantLineTest, QuotedNamesWithQuotes) {
  auto g = parseGrantLine("GRANT SELECT ON `a``b`.`t` TO `x``y`@`h`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->database, "a`b");
  EXPECT_EQ(g->grantee.name, "x`y");
}

TEST(ParseGrantLineTest, NotGrantLines) {
  for (const char* line : {
           "SET DEFAULT ROLE `r1` FOR `gu3`@`%`",
           "",
           "GRANT",
           "GRANT SELECT",
           "GRANT SELECT ON",
           "GRANT SELECT ON `db`.* TO",
           "GRANT SELECT ON `db`.* `u`",
           "GRANT SELECT ON `db.* TO `u`@`%`",
           "GRANT SELECT (`a` ON `db`.`t` TO `u`@`%`",
           "GRANT , SELECT ON *.* TO `u`@`%`",
           "GRANT SELECT ON *. TO `u`@`%`",
           "GRANT `r` TO",
           "GRANT 'x' (1) ON *.* TO `u`",
       }) {
    EXPECT_FALSE(parseGrantLine(line)) << line;
  }
}

TEST(ParseGrantLineTest, EveryPrefixOfAGrantIsHandled) {
  // Cut anywhere, a line reads as something or nothing, and never loops or crashes.
  std::string line =
      "GRANT SELECT (`a`, `b`), UPDATE ON `gx2`.`t` TO `gu3`@`%` IDENTIFIED BY PASSWORD 'x' "
      "WITH GRANT OPTION";
  for (size_t n = 0; n <= line.size(); ++n) parseGrantLine(line.substr(0, n));
}

TEST(RolesWithoutGrantsTest, OnlyRolesWhoseGrantsAreMissing) {
  // Plain SHOW GRANTS for a user whose default role is r1 (which holds r2), with r3 granted but
  // not active.
  std::vector<GrantLine> lines;
  for (const char* l : {"GRANT `r1` TO `gu3`@`%` WITH ADMIN OPTION", "GRANT `r3` TO `gu3`@`%`",
                        "GRANT USAGE ON *.* TO `gu3`@`%`", "GRANT `r2` TO `r1`",
                        "GRANT USAGE ON *.* TO `r1`", "GRANT FILE ON *.* TO `r2`"}) {
    lines.push_back(*parseGrantLine(l));
  }
  EXPECT_EQ(rolesWithoutGrants(lines), (Grantees{{"r3", "", false}}));
  EXPECT_EQ(setRole(Grantee{"r3", "", false}), "SET ROLE `r3`");
  EXPECT_EQ(setRole(Grantee{"a`b", "%", false}), "SET ROLE `a``b`@`%`");
}

TEST(ExcessGrantsTest, LeastPrivilegeAccountIsQuiet) {
  EXPECT_EQ(excessGrants({"GRANT USAGE ON *.* TO `sp_ds0`@`127.0.0.1` IDENTIFIED BY PASSWORD "
                          "'*7B9EBEED26AA52ED10C0F549FA863F13C39E0209'",
                          "GRANT ALL PRIVILEGES ON `demo\\_ds\\_0`.* TO `sp_ds0`@`127.0.0.1`"},
                         "demo_ds_0", "sp_ds0"),
            Strings{});
  // The name written unescaped, table and routine grants in the database, and the global
  // privileges the proxy's features use.
  EXPECT_EQ(excessGrants({"GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO `u`@`%`",
                          "GRANT REPLICATION CLIENT, REPLICA MONITOR ON *.* TO `u`@`%`",
                          "GRANT SELECT, INSERT ON `shop_db`.* TO `u`@`%`",
                          "GRANT SELECT (`a`) ON `shop_db`.`t` TO `u`@`%`",
                          "GRANT EXECUTE ON PROCEDURE `shop_db`.`p` TO `u`@`%`",
                          "SET DEFAULT ROLE NONE FOR `u`@`%`", "Grants for u@%"},
                         "shop_db", "u"),
            Strings{});
}

TEST(ExcessGrantsTest, RootIsEverythingOnEverything) {
  EXPECT_EQ(
      excessGrants({"GRANT ALL PRIVILEGES ON *.* TO `root`@`127.0.0.1` IDENTIFIED BY PASSWORD "
                    "'*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B' WITH GRANT OPTION",
                    "GRANT PROXY ON ''@'%' TO 'root'@'127.0.0.1' WITH GRANT OPTION"},
                   "demo_ds_0", "root"),
      (Strings{"ALL PRIVILEGES, GRANT OPTION on *.*", "PROXY on ''@'%' WITH GRANT OPTION"}));
}

TEST(ExcessGrantsTest, NamesWhatExceeds) {
  EXPECT_EQ(excessGrants(
                {
                    "GRANT `r1` TO `gu3`@`%` WITH ADMIN OPTION",
                    "GRANT FILE, SUPER, PROCESS, READ_ONLY ADMIN, BINLOG ADMIN ON *.* TO `gu3`@`%`",
                    "GRANT SELECT, INSERT ON `gx1`.* TO `gu3`@`%` WITH GRANT OPTION",
                    "GRANT SELECT ON `gx%`.* TO `gu3`@`%`",
                    "GRANT SELECT ON `gx\\_1`.* TO `gu3`@`%`",
                    "GRANT SELECT (`a`), UPDATE (`a`) ON `gx2`.`t` TO `gu3`@`%`",
                    "GRANT EXECUTE ON PROCEDURE `gx2`.`p` TO `gu3`@`%`",
                    "GRANT `r2` TO `r1`",
                    "GRANT USAGE ON *.* TO `r1`",
                    "GRANT SELECT ON `mysql`.* TO `r1`",
                    "GRANT FILE ON *.* TO `r2`",
                    "GRANT SELECT ON `gx3`.* TO PUBLIC",
                    "SET DEFAULT ROLE `r1` FOR `gu3`@`%`",
                },
                "gx1", "gu3"),
            (Strings{
                "ADMIN OPTION on role `r1`",
                "FILE, SUPER, READ_ONLY ADMIN, BINLOG ADMIN on *.*",
                "GRANT OPTION on `gx1`.*",
                "SELECT on `gx%`.*",
                "SELECT on `gx\\_1`.*",
                "SELECT, UPDATE on `gx2`.`t`",
                "EXECUTE on PROCEDURE `gx2`.`p`",
                "SELECT on `mysql`.* (through role `r1`)",
                "FILE on *.* (through role `r2`)",
                "SELECT on `gx3`.* (granted to PUBLIC)",
            }));
}

TEST(ExcessGrantsTest, DatabaseLevelPrivilegesOnEveryDatabase) {
  EXPECT_EQ(excessGrants({"GRANT SELECT, INSERT, USAGE ON *.* TO `u`@`%`"}, "db", "u"),
            Strings{"SELECT, INSERT on *.*"});
}

TEST(ExcessGrantsTest, UnreadableLineIsReportedWithoutItsPassword) {
  EXPECT_EQ(
      excessGrants({"GRANT SELECT ON `db TO `u`@`%` IDENTIFIED BY PASSWORD '*SECRET'"}, "db", "u"),
      Strings{"a grant line not understood: GRANT SELECT ON `db"});
}

}  // namespace
}  // namespace shardproxy::executor
