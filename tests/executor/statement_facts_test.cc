#include "executor/statement_facts.h"

#include <gtest/gtest.h>

#include "config/topology.h"

namespace shardproxy::executor {
namespace {

namespace ast = parser::ast;

ast::Statement parse(const std::string& sql) {
  auto s = ast::parseAst(sql);
  EXPECT_TRUE(s.isOk()) << sql << ": " << s.status().toString();
  return s.isOk() ? std::move(s.value()) : ast::Statement{};
}

bool leaves(const std::string& sql) { return leavesConnectionState(parse(sql)); }
bool setsSession(const std::string& sql) { return setsOnlySessionVariables(parse(sql)); }
std::optional<std::string> column(const std::string& sql) {
  return selectDatabaseColumn(parse(sql));
}
std::optional<std::string> substitute(const std::string& sql, std::string_view db, uint32_t id,
                                      bool noBackslashEscapes = false) {
  return substituteSessionFunctions(parse(sql), SessionIdentity{db, id, "", ""},
                                    noBackslashEscapes);
}
std::optional<std::string> asUser(const std::string& sql) {
  return substituteSessionFunctions(parse(sql), SessionIdentity{"db1", 7, "app@127.0.0.2", "app@%"},
                                    false);
}

TEST(StatementFactsTest, StateLeftOnTheConnection) {
  EXPECT_TRUE(leaves("SET @x = 1"));
  EXPECT_TRUE(leaves("SELECT @x := 1"));
  EXPECT_TRUE(leaves("select a into @v from t"));
  EXPECT_TRUE(leaves("SELECT a FROM t WHERE b = @v"));
  EXPECT_TRUE(leaves("CREATE TEMPORARY TABLE t (a int)"));
  EXPECT_TRUE(leaves("DROP TEMPORARY TABLE t"));
  EXPECT_TRUE(leaves("LOCK TABLES t WRITE"));
  EXPECT_TRUE(leaves("PREPARE s FROM 'select 1'"));
  EXPECT_TRUE(leaves("EXECUTE s"));
  EXPECT_TRUE(leaves("DEALLOCATE PREPARE s"));
  EXPECT_TRUE(leaves("HANDLER t OPEN"));
  EXPECT_TRUE(leaves("SELECT GET_LOCK('a', 1)"));
  EXPECT_TRUE(leaves("SELECT 1 FROM t WHERE get_lock('a', 1) = 1"));
  EXPECT_TRUE(leaves("SET TRANSACTION READ ONLY"));
  EXPECT_TRUE(leaves("SET session_track_system_variables = ''"));
  EXPECT_TRUE(leaves("SET @@session.session_track_state_change = OFF"));
  EXPECT_FALSE(leaves("SELECT @@version"));
  EXPECT_FALSE(leaves("SELECT '@x' FROM t"));
  EXPECT_FALSE(leaves("SELECT 1 /* @x */"));
  EXPECT_FALSE(leaves("CREATE TABLE t (a int)"));
  EXPECT_FALSE(leaves("CREATE USER u@localhost"));
  EXPECT_FALSE(leaves("SET sql_mode = 'ANSI'"));
  EXPECT_FALSE(leaves("UNLOCK TABLES"));
}

TEST(StatementFactsTest, SetsOfSessionVariables) {
  EXPECT_TRUE(setsSession("SET sql_mode = 'ANSI'"));
  EXPECT_TRUE(setsSession("SET NAMES utf8mb4"));
  EXPECT_TRUE(setsSession("SET CHARACTER SET latin1, autocommit = 0"));
  EXPECT_TRUE(setsSession("set @@session.time_zone='+00:00', LOCAL wait_timeout = 10"));
  EXPECT_FALSE(setsSession("SET @x = 1"));
  EXPECT_FALSE(setsSession("SET GLOBAL max_connections = 10"));
  EXPECT_FALSE(setsSession("SET sql_mode = '', GLOBAL max_connections = 10"));
  EXPECT_FALSE(setsSession("SET PASSWORD = 'x'"));
  EXPECT_FALSE(setsSession("SET STATEMENT max_statement_time = 1 FOR SELECT 1"));
  EXPECT_FALSE(setsSession("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  EXPECT_FALSE(setsSession("SELECT 1"));
}

TEST(StatementFactsTest, SelectDatabase) {
  EXPECT_EQ(column("SELECT DATABASE()"), "DATABASE()");
  EXPECT_EQ(column("select database ( );"), "database ( )");
  EXPECT_EQ(column("SELECT SCHEMA() AS s"), "s");
  EXPECT_EQ(column("SELECT DATABASE() x"), "x");
  EXPECT_EQ(column("/* c */ SELECT DATABASE() `a b`"), "a b");
  EXPECT_EQ(column("SELECT DATABASE(), 1"), std::nullopt);
  EXPECT_EQ(column("SELECT DATABASE() FROM t"), std::nullopt);
  EXPECT_EQ(column("SELECT DATABASE() LIMIT 0"), std::nullopt);
  EXPECT_EQ(column("SELECT DATABASE() INTO @d"), std::nullopt);
  EXPECT_EQ(column("SELECT `database` FROM t"), std::nullopt);
  EXPECT_EQ(column("SELECT USER()"), std::nullopt);
}

TEST(StatementFactsTest, SubstitutesSelectListItems) {
  EXPECT_EQ(substitute("select DATABASE(), USER() limit 1", "db1", 7),
            "select IF(1, 'db1', DATABASE()) AS `DATABASE()`, USER() limit 1");  // no user known
  EXPECT_EQ(substitute("SELECT 1, schema() AS s FROM t", "d'b\\", 7),
            "SELECT 1, IF(1, 'd''b\\\\', DATABASE()) AS s FROM t");
  EXPECT_EQ(substitute("SELECT 1, schema() AS s FROM t", "d'b\\", 7, true),
            "SELECT 1, IF(1, 'd''b\\', DATABASE()) AS s FROM t");
  EXPECT_EQ(substitute("SELECT database() x", "db1", 7), "SELECT IF(1, 'db1', DATABASE()) x");
  EXPECT_EQ(substitute("SELECT (database())", "db1", 7),
            "SELECT IF(1, 'db1', DATABASE()) AS `(database())`");
}

TEST(StatementFactsTest, SubstitutesConnectionId) {
  EXPECT_EQ(substitute("SELECT CONNECTION_ID()", "", 42),
            "SELECT IF(1, CAST(42 AS UNSIGNED), CONNECTION_ID()) AS `CONNECTION_ID()`");
  // Without a database, DATABASE() stays: the backend has none either.
  EXPECT_EQ(substitute("SELECT DATABASE()", "", 42), std::nullopt);
}

TEST(StatementFactsTest, LeavesOtherPlacesAlone) {
  EXPECT_EQ(substitute("SELECT * FROM information_schema.tables WHERE table_schema = DATABASE()",
                       "db1", 7),
            std::nullopt);
  EXPECT_EQ(substitute("SELECT 'DATABASE()'", "db1", 7), std::nullopt);
}

TEST(StatementFactsTest, DatabaseInsideExpressionsIsTheLogicalName) {
  // The item keeps the name the client wrote.
  EXPECT_EQ(substitute("SELECT CONCAT(DATABASE(), 'x')", "db1", 7),
            "SELECT CONCAT(IF(1, 'db1', DATABASE()), 'x') AS `CONCAT(DATABASE(), 'x')`");
  EXPECT_EQ(substitute("SELECT DATABASE() = 'db1' AS same", "db1", 7),
            "SELECT IF(1, 'db1', DATABASE()) = 'db1' AS same");
  EXPECT_EQ(substitute("SELECT 1 FROM t WHERE name = DATABASE()", "db1", 7),
            "SELECT 1 FROM t WHERE name = 'db1'");
  EXPECT_EQ(substitute("INSERT INTO t VALUES (SCHEMA())", "db1", 7),
            "INSERT INTO t VALUES ('db1')");
  EXPECT_EQ(substitute("SELECT a FROM t UNION SELECT DATABASE()", "db1", 7),
            "SELECT a FROM t UNION SELECT 'db1'");  // (the UNION's names are its first part's)
  // The server's catalog names the actual database: left to the server.
  EXPECT_EQ(substitute("SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE()",
                       "db1", 7),
            std::nullopt);
  // ... unless the proxy answers it with logical names: then it is the logical one there too.
  SessionIdentity logical{"db1", 7, "app@127.0.0.2", "app@%"};
  logical.logicalCatalog = true;
  EXPECT_EQ(substituteSessionFunctions(
                parse("SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = DATABASE() "
                      "AND CURRENT_USER() <> USER()"),
                logical, false),
            "SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE table_schema = 'db1' AND 'app@%' <> "
            "'app@127.0.0.2'");
}

TEST(StatementFactsTest, UserFunctionsAnswerWithTheProxyUserEverywhere) {
  EXPECT_EQ(asUser("SELECT USER()"), "SELECT IF(1, 'app@127.0.0.2', USER()) AS `USER()`");
  EXPECT_EQ(
      asUser("SELECT current_user() AS u, SESSION_USER()"),
      "SELECT IF(1, 'app@%', USER()) AS u, IF(1, 'app@127.0.0.2', USER()) AS `SESSION_USER()`");
  EXPECT_EQ(asUser("SELECT a FROM t WHERE owner = USER() OR owner = system_user()"),
            "SELECT a FROM t WHERE owner = 'app@127.0.0.2' OR owner = 'app@127.0.0.2'");
  EXPECT_EQ(asUser("INSERT INTO t VALUES (CURRENT_USER())"), "INSERT INTO t VALUES ('app@%')");
  EXPECT_EQ(asUser("SELECT DATABASE(), CONCAT(USER(), '!')"),
            "SELECT IF(1, 'db1', DATABASE()) AS `DATABASE()`, "
            "CONCAT(IF(1, 'app@127.0.0.2', USER()), '!') AS `CONCAT(USER(), '!')`");
  EXPECT_EQ(asUser("SELECT 'USER()'"), std::nullopt);
}

TEST(StatementFactsTest, ProxyVariablesAnswerWithTheSessionsValues) {
  const std::map<std::string, int64_t, std::less<>> values = {{"wait_timeout", 5},
                                                              {"max_execution_time", 1000}};
  SessionIdentity identity{"db1", 7, "", ""};
  identity.proxyVariables = &values;
  auto run = [&](const std::string& sql) {
    return substituteSessionFunctions(parse(sql), identity, false);
  };
  // A select item keeps its name and the server's type (BIGINT UNSIGNED).
  EXPECT_EQ(run("SELECT @@wait_timeout"), "SELECT CAST(5 AS UNSIGNED) AS `@@wait_timeout`");
  EXPECT_EQ(run("SELECT @@SESSION.Wait_Timeout AS w, @@max_execution_time"),
            "SELECT CAST(5 AS UNSIGNED) AS w, CAST(1000 AS UNSIGNED) AS `@@max_execution_time`");
  EXPECT_EQ(run("SELECT 1 FROM t WHERE @@local.wait_timeout > 3"), "SELECT 1 FROM t WHERE 5 > 3");
  // The backends' own variables are the backend's to answer; the global value is the props'.
  EXPECT_EQ(run("SELECT @@max_statement_time, @@sql_mode"), std::nullopt);
  EXPECT_EQ(run("SELECT @@global.wait_timeout"), std::nullopt);  // (no props given)
  config::Props props;
  props.proxyFrontendWaitTimeoutSeconds = 600;
  identity.props = &props;
  EXPECT_EQ(run("SELECT @@GLOBAL.wait_timeout"),
            "SELECT CAST(600 AS UNSIGNED) AS `@@GLOBAL.wait_timeout`");
  // Without the session's values (a unit test's identity), nothing changes.
  EXPECT_EQ(substitute("SELECT @@wait_timeout", "db1", 7), std::nullopt);
}

TEST(StatementFactsTest, VersionAnswersWithTheProxysVersion) {
  SessionIdentity identity{"db1", 7, "", ""};
  identity.serverVersion = "10.11.6-MariaDB-shardproxy-1.0";
  auto run = [&](const std::string& sql) {
    return substituteSessionFunctions(parse(sql), identity, false);
  };
  EXPECT_EQ(run("SELECT VERSION()"),
            "SELECT IF(1, '10.11.6-MariaDB-shardproxy-1.0', VERSION()) AS `VERSION()`");
  EXPECT_EQ(run("SELECT @@version AS v, @@GLOBAL.version"),
            "SELECT IF(1, '10.11.6-MariaDB-shardproxy-1.0', @@version) AS v, "
            "IF(1, '10.11.6-MariaDB-shardproxy-1.0', @@GLOBAL.version) AS `@@GLOBAL.version`");
  EXPECT_EQ(run("SELECT 1 FROM t WHERE version() LIKE '10.%'"),
            "SELECT 1 FROM t WHERE '10.11.6-MariaDB-shardproxy-1.0' LIKE '10.%'");
  // Other version variables are the backend's; @@session.version is its error to give.
  EXPECT_EQ(run("SELECT @@version_comment, @@session.version"), std::nullopt);
  // Without a version (a unit test's identity), nothing changes.
  EXPECT_EQ(substitute("SELECT VERSION()", "db1", 7), std::nullopt);
}

}  // namespace
}  // namespace shardproxy::executor
