#include "admin/distsql.h"

#include <gtest/gtest.h>

namespace shardproxy::admin {
namespace {

TEST(DistVariable, SetAndShowForms) {
  auto set = distVariable("SET VARIABLE transaction_type = 'XA'");
  ASSERT_TRUE(set.has_value());
  EXPECT_TRUE(set->set);
  EXPECT_FALSE(set->dist);
  EXPECT_EQ(set->name, "transaction_type");
  EXPECT_EQ(set->value, "XA");
  auto dist = distVariable("  set dist variable Transaction_Type = local ;");
  ASSERT_TRUE(dist.has_value());
  EXPECT_TRUE(dist->set && dist->dist);
  EXPECT_EQ(dist->name, "transaction_type");
  EXPECT_EQ(dist->value, "local");
  auto show = distVariable("SHOW VARIABLE transaction_type");
  ASSERT_TRUE(show.has_value());
  EXPECT_FALSE(show->set);
  EXPECT_EQ(show->name, "transaction_type");
  auto where = distVariable("SHOW DIST VARIABLE WHERE NAME = transaction_type");
  ASSERT_TRUE(where.has_value());
  EXPECT_TRUE(where->dist);
  EXPECT_EQ(where->name, "transaction_type");
  auto all = distVariable("show dist variables");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->name.empty());
}

TEST(DistVariable, MySqlStatementsAreNotDistSql) {
  for (const char* sql : {"SET autocommit = 0", "SET @a = 1", "SHOW VARIABLES",
                          "SHOW VARIABLES LIKE 'x'", "SET VARIABLE a", "SET VARIABLE a = 1 , b = 2",
                          "SHOW DIST VARIABLE", "SELECT 1", "", "SET VARIABLE 'unterminated"}) {
    EXPECT_FALSE(distVariable(sql).has_value()) << sql;
  }
}

}  // namespace
}  // namespace shardproxy::admin
