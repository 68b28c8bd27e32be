#include "frontend/recognizer.h"

#include <gtest/gtest.h>

namespace shardproxy::frontend {
namespace {

using Kind = Recognized::Kind;

struct Case {
  const char* sql;
  Kind kind;
  const char* database = "";
  bool hasLike = false;
  const char* like = "";
  bool full = false;
  const char* tail = "";
  const char* column = "";
};

// Test names and failure messages show the statement, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.sql; }

class RecognizerTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecognizerTest, Recognizes) {
  const Case& c = GetParam();
  Recognized r = recognize(c.sql);
  EXPECT_EQ(r.kind, c.kind) << c.sql;
  EXPECT_EQ(r.database, c.database) << c.sql;
  EXPECT_EQ(r.hasLike, c.hasLike) << c.sql;
  EXPECT_EQ(r.likePattern, c.like) << c.sql;
  EXPECT_EQ(r.full, c.full) << c.sql;
  EXPECT_EQ(r.tail, c.tail) << c.sql;
  EXPECT_EQ(r.columnName, c.column) << c.sql;
}

INSTANTIATE_TEST_SUITE_P(
    Statements, RecognizerTest,
    ::testing::Values(
        Case{"USE db1", Kind::kUse, "db1"}, Case{"  use `my db`;", Kind::kUse, "my db"},
        Case{"/* c */ USE db1 -- x\n", Kind::kUse, "db1"},
        Case{"USE db1; SELECT 1", Kind::kOther},  // multi-statement goes to the backend
        Case{"SHOW DATABASES", Kind::kShowDatabases},
        Case{"show schemas;", Kind::kShowDatabases},
        Case{"SHOW DATABASES LIKE 'd%'", Kind::kShowDatabases, "", true, "d%"},
        Case{"SHOW DATABASES WHERE 1", Kind::kOther},
        Case{"SHOW TABLES", Kind::kShowTables},
        Case{"SHOW FULL TABLES FROM db2", Kind::kShowTables, "db2", false, "", true},
        Case{"SHOW TABLES IN `db2` LIKE 't\\_%';", Kind::kShowTables, "db2", true, "t\\_%", false,
             "LIKE 't\\_%'"},
        Case{"SHOW TABLES WHERE Tables_in_x = 'a'", Kind::kShowTables, "", false, "", false,
             "WHERE Tables_in_x = 'a'"},
        Case{"SHOW TABLE STATUS", Kind::kOther},
        Case{"SELECT DATABASE()", Kind::kSelectDatabase, "", false, "", false, "", "DATABASE()"},
        Case{"select database ( )", Kind::kSelectDatabase, "", false, "", false, "",
             "database ( )"},
        Case{"SELECT SCHEMA() AS s", Kind::kSelectDatabase, "", false, "", false, "", "s"},
        Case{"SELECT DATABASE() x;", Kind::kSelectDatabase, "", false, "", false, "", "x"},
        Case{"SELECT DATABASE(), 1", Kind::kOther}, Case{"SELECT databases FROM t", Kind::kOther},
        Case{"SET sql_mode = 'ANSI'", Kind::kSetVariables},
        Case{"SET NAMES utf8mb4", Kind::kSetVariables},
        Case{"set @@session.time_zone='+00:00'", Kind::kSetVariables},
        Case{"SET @x = 1", Kind::kOther}, Case{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", Kind::kOther},
        Case{"SET GLOBAL max_connections = 10", Kind::kOther},
        Case{"SET PASSWORD = 'x'", Kind::kOther}, Case{"INSERT INTO t VALUES (1)", Kind::kOther},
        Case{"SET sql_mode = ''; CREATE TEMPORARY TABLE t (a int)", Kind::kOther},
        Case{"KILL 12", Kind::kKill}, Case{"KILL QUERY 12;", Kind::kKill},
        Case{"KILL CONNECTION_ID()", Kind::kOther}));

TEST(RecognizerTest, KillArguments) {
  Recognized r = recognize("kill query 42");
  EXPECT_EQ(r.killId, 42u);
  EXPECT_TRUE(r.killQuery);
  r = recognize("KILL CONNECTION 7");
  EXPECT_EQ(r.killId, 7u);
  EXPECT_FALSE(r.killQuery);
}

TEST(RecognizerTest, SessionEffects) {
  EXPECT_TRUE(recognize("SET @x = 1").sessionEffects);
  EXPECT_TRUE(recognize("SELECT @x := 1").sessionEffects);
  EXPECT_TRUE(recognize("select a into @v from t").sessionEffects);
  EXPECT_TRUE(recognize("CREATE TEMPORARY TABLE t (a int)").sessionEffects);
  EXPECT_TRUE(recognize("LOCK TABLES t WRITE").sessionEffects);
  EXPECT_TRUE(recognize("PREPARE s FROM 'select 1'").sessionEffects);
  EXPECT_TRUE(recognize("SELECT GET_LOCK('a', 1)").sessionEffects);
  EXPECT_TRUE(recognize("SET TRANSACTION READ ONLY").sessionEffects);
  EXPECT_TRUE(recognize("SET session_track_system_variables = ''").sessionEffects);
  EXPECT_EQ(recognize("SET session_track_state_change = OFF").kind, Kind::kOther);
  EXPECT_TRUE(recognize("SET sql_mode = ''; CREATE TEMPORARY TABLE t (a int)").sessionEffects);
  EXPECT_FALSE(recognize("SELECT @@version").sessionEffects);
  EXPECT_FALSE(recognize("SELECT '@x' FROM t").sessionEffects);
  EXPECT_FALSE(recognize("SELECT 1 /* @x */").sessionEffects);
  EXPECT_FALSE(recognize("CREATE TABLE t (a int)").sessionEffects);
}

}  // namespace
}  // namespace shardproxy::frontend

namespace shardproxy::frontend {
namespace {

TEST(SubstituteDatabaseTest, SelectListItems) {
  EXPECT_EQ(substituteSessionFunctions("select DATABASE(), USER() limit 1", "db1", 7),
            "select IF(1, 'db1', DATABASE()) AS `DATABASE()`, USER() limit 1");
  EXPECT_EQ(substituteSessionFunctions("SELECT 1, schema() AS s FROM t", "d'b", 7),
            "SELECT 1, IF(1, 'd''b', DATABASE()) AS s FROM t");
  EXPECT_EQ(substituteSessionFunctions("SELECT database() x", "db1", 7),
            "SELECT IF(1, 'db1', DATABASE()) x");
}

TEST(SubstituteDatabaseTest, ConnectionId) {
  EXPECT_EQ(substituteSessionFunctions("SELECT CONNECTION_ID()", "", 42),
            "SELECT IF(1, 42, CONNECTION_ID()) AS `CONNECTION_ID()`");
  // Without a database, DATABASE() stays: the backend has none either.
  EXPECT_EQ(substituteSessionFunctions("SELECT DATABASE()", "", 42), std::nullopt);
}

TEST(SubstituteDatabaseTest, LeavesOtherPlacesAlone) {
  EXPECT_EQ(substituteSessionFunctions("SELECT * FROM information_schema.tables WHERE "
                                       "table_schema = DATABASE()",
                                       "db1", 7),
            std::nullopt);
  EXPECT_EQ(substituteSessionFunctions("SELECT CONCAT(DATABASE(), 'x')", "db1", 7), std::nullopt);
  EXPECT_EQ(substituteSessionFunctions("SELECT 'DATABASE()'", "db1", 7), std::nullopt);
  EXPECT_EQ(substituteSessionFunctions("INSERT INTO t VALUES (DATABASE())", "db1", 7), std::nullopt);
}

}  // namespace
}  // namespace shardproxy::frontend
