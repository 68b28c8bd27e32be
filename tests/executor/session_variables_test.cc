#include "executor/session_variables.h"

#include <gtest/gtest.h>

#include "common/sql_text.h"

namespace shardproxy::executor {
namespace {

TEST(SessionVariablesTest, NothingToDo) {
  SessionVariables v;
  EXPECT_EQ(v.syncStatement({}, false), "");
  v.values = {{"sql_mode", "ANSI"}};
  EXPECT_EQ(v.syncStatement({{"sql_mode", "ANSI"}}, false), "");
}

TEST(SessionVariablesTest, SetsDifferencesAndResetsTheRest) {
  SessionVariables v;
  v.values = {{"sql_mode", "ANSI"}, {"wait_timeout", "100"}, {"time_zone", "+01:00"}};
  std::map<std::string, std::string> applied = {
      {"sql_mode", "ANSI"}, {"autocommit", "OFF"}, {"time_zone", "SYSTEM"}};
  EXPECT_EQ(v.syncStatement(applied, false),
            "SET SESSION time_zone = '+01:00', SESSION wait_timeout = 100, "
            "SESSION autocommit = DEFAULT");
}

TEST(SessionVariablesTest, CharacterSetsBeforeCollations) {
  SessionVariables v;
  v.values = charsetVariables(8);  // latin1_swedish_ci
  EXPECT_EQ(v.syncStatement({}, false),
            "SET SESSION character_set_client = 'latin1', SESSION character_set_connection = "
            "'latin1', SESSION character_set_results = 'latin1', SESSION collation_connection = "
            "'latin1_swedish_ci'");
  // Back to the connect-time utf8mb4 when the session no longer has them.
  SessionVariables empty;
  EXPECT_EQ(empty.syncStatement(v.values, false),
            "SET SESSION character_set_client = 'utf8mb4', SESSION character_set_connection = "
            "'utf8mb4', SESSION character_set_results = 'utf8mb4', SESSION collation_connection "
            "= 'utf8mb4_general_ci'");
}

TEST(SessionVariablesTest, DefaultCollationNeedsNoVariables) {
  EXPECT_TRUE(charsetVariables(45).empty());
  EXPECT_TRUE(charsetVariables(255).empty());  // MySQL 8 default maps to the same
  EXPECT_EQ(charsetVariables(33).at("character_set_client"), "utf8mb3");
}

TEST(SessionVariablesTest, SkipsNamesThatAreNotIdentifiers) {
  SessionVariables v;
  v.values = {{"x; DROP TABLE t", "1"}};
  EXPECT_EQ(v.syncStatement({}, false), "");
}

TEST(SessionVariablesTest, NullCharacterSetResults) {
  SessionVariables v;
  v.values = {{"character_set_results", ""}};
  EXPECT_EQ(v.syncStatement({}, false), "SET SESSION character_set_results = NULL");
}

TEST(QuoteStringTest, Escapes) {
  EXPECT_EQ(quoteString("a'b", false), "'a''b'");
  EXPECT_EQ(quoteString("a\\b", false), "'a\\\\b'");
  EXPECT_EQ(quoteString("a\\b", true), "'a\\b'");
  EXPECT_EQ(quoteString(std::string("a\0b", 3), false), "'a\\0b'");
  EXPECT_EQ(quoteString("", false), "''");
}

TEST(SessionVariablesTest, ProxyVariablesAreKeptApartAndReset) {
  ASSERT_NE(proxyVariable("WAIT_TIMEOUT"), nullptr);
  EXPECT_EQ(proxyVariable("Net_Read_Timeout")->min, 1);
  EXPECT_EQ(proxyVariable("max_execution_time")->min, 0);
  EXPECT_EQ(proxyVariable("max_statement_time"), nullptr);  // the backends' own
  EXPECT_EQ(proxyVariable("wait_timeout2"), nullptr);
  SessionVariables v;
  v.setProxyDefaults({{"wait_timeout", 100}});
  EXPECT_EQ(v.proxyValue("wait_timeout"), 100);
  v.proxyValues["wait_timeout"] = 3;
  v.reset({});
  EXPECT_EQ(v.proxyValue("wait_timeout"), 100);
  // Never replayed on a backend connection.
  EXPECT_EQ(v.syncStatement({}, false), "");
}

}  // namespace
}  // namespace shardproxy::executor
