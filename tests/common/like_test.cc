#include "common/like.h"

#include <gtest/gtest.h>

namespace shardproxy {
namespace {

TEST(LikeMatchTest, Patterns) {
  EXPECT_TRUE(likeMatch("db1", "db%", false));
  EXPECT_TRUE(likeMatch("db1", "%", false));
  EXPECT_TRUE(likeMatch("", "%", false));
  EXPECT_TRUE(likeMatch("db1", "d_1", false));
  EXPECT_FALSE(likeMatch("db1", "d_", false));
  EXPECT_TRUE(likeMatch("DB1", "db1", true));
  EXPECT_FALSE(likeMatch("DB1", "db1", false));
  EXPECT_TRUE(likeMatch("a_b", "a\\_b", false));
  EXPECT_FALSE(likeMatch("axb", "a\\_b", false));
  EXPECT_TRUE(likeMatch("abcbc", "%bc", false));
  EXPECT_TRUE(likeMatch("abxbyc", "a%b%c", false));
  EXPECT_FALSE(likeMatch("abxbyd", "a%b%c", false));
}

}  // namespace
}  // namespace shardproxy
