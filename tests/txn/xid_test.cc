#include "txn/xid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace shardproxy::txn {
namespace {

TEST(XidSqlTest, HexForm) {
  EXPECT_EQ(xidSql(Xid{"sp-ab-1-2", "ds_0"}), "X'73702d61622d312d32',X'64735f30',1397774425");
  EXPECT_EQ(xidSql(Xid{"g", "", 1}), "X'67',X'',1");
  // Bytes that would need escaping in a quoted string, and the top bit set.
  EXPECT_EQ(xidSql(Xid{std::string("'\\\0\xff", 4), "\n", -1}), "X'275c00ff',X'0a',-1");
}

TEST(XidSqlTest, FormatIdIsSpxy) {
  EXPECT_EQ(kFormatId, ('S' << 24) | ('P' << 16) | ('X' << 8) | 'Y');
}

TEST(XidFitsTest, Limits) {
  EXPECT_TRUE(xidFits(Xid{std::string(64, 'g'), std::string(64, 'b')}));
  EXPECT_TRUE(xidFits(Xid{"g", ""}));
  EXPECT_FALSE(xidFits(Xid{std::string(65, 'g'), "b"}));
  EXPECT_FALSE(xidFits(Xid{"g", std::string(65, 'b')}));
  EXPECT_FALSE(xidFits(Xid{"", "b"}));
}

TEST(ParseRecoverRowTest, ValidRows) {
  auto xid = parseRecoverRow(kFormatId, 9, 4, "sp-ab-1-2ds_0");
  ASSERT_TRUE(xid);
  EXPECT_EQ(*xid, (Xid{"sp-ab-1-2", "ds_0", kFormatId}));

  // Another coordinator's branch: parsed with its own formatID (the caller filters).
  xid = parseRecoverRow(1, 3, 2, "abcde");
  ASSERT_TRUE(xid);
  EXPECT_EQ(*xid, (Xid{"abc", "de", 1}));

  // Binary bytes survive.
  xid = parseRecoverRow(kFormatId, 2, 1, std::string_view("\0\xff\n", 3));
  ASSERT_TRUE(xid);
  EXPECT_EQ(xid->gtrid, std::string("\0\xff", 2));
  EXPECT_EQ(xid->bqual, "\n");

  // Longest parts the servers allow.
  xid = parseRecoverRow(kFormatId, 64, 64, std::string(64, 'g') + std::string(64, 'b'));
  ASSERT_TRUE(xid);
  EXPECT_EQ(xid->gtrid, std::string(64, 'g'));
  EXPECT_EQ(xid->bqual, std::string(64, 'b'));
}

TEST(ParseRecoverRowTest, ZeroLengthBqual) {
  auto xid = parseRecoverRow(kFormatId, 9, 0, "sp-ab-1-2");
  ASSERT_TRUE(xid);
  EXPECT_EQ(*xid, (Xid{"sp-ab-1-2", "", kFormatId}));
}

TEST(ParseRecoverRowTest, MySqlConvertXidHexForm) {
  // XA RECOVER CONVERT XID (MySQL 8): "0x" and the hex of gtrid and bqual together.
  auto xid = parseRecoverRow(kFormatId, 3, 2, "0x6162636465");
  ASSERT_TRUE(xid);
  EXPECT_EQ(*xid, (Xid{"abc", "de", kFormatId}));
  xid = parseRecoverRow(kFormatId, 1, 0, "0X4A");
  ASSERT_TRUE(xid);
  EXPECT_EQ(xid->gtrid, "J");
  EXPECT_FALSE(parseRecoverRow(kFormatId, 3, 2, "0x61626364zz"));
}

TEST(ParseRecoverRowTest, LengthsThatDoNotFit) {
  EXPECT_FALSE(parseRecoverRow(kFormatId, 9, 4, "sp-ab-1-2ds_"));    // data too short
  EXPECT_FALSE(parseRecoverRow(kFormatId, 9, 4, "sp-ab-1-2ds_00"));  // data too long
  EXPECT_FALSE(parseRecoverRow(kFormatId, 3, 0, ""));
  EXPECT_FALSE(parseRecoverRow(kFormatId, -1, 4, "abc"));
  EXPECT_FALSE(parseRecoverRow(kFormatId, 4, -1, "abc"));
  EXPECT_FALSE(parseRecoverRow(kFormatId, 65, 0, std::string(65, 'g')));
  EXPECT_FALSE(parseRecoverRow(kFormatId, 1, 65, std::string(66, 'g')));
  // Lengths whose sum overflows must not wrap around to the data's size.
  EXPECT_FALSE(parseRecoverRow(kFormatId, INT64_MAX, INT64_MAX, "ab"));
  EXPECT_FALSE(parseRecoverRow(kFormatId, INT64_MIN, 2, "ab"));
}

TEST(XidGeneratorTest, Sequence) {
  XidGenerator gen("0123456789abcdef", 7);
  EXPECT_EQ(gen.instance(), "0123456789abcdef");
  EXPECT_EQ(gen.boot(), 7u);
  EXPECT_EQ(gen.next(), "sp-0123456789abcdef-7-1");
  EXPECT_EQ(gen.next(), "sp-0123456789abcdef-7-2");
}

TEST(XidGeneratorTest, LongestGtridFits) {
  XidGenerator gen("0123456789abcdef", UINT64_MAX);
  std::string gtrid = gen.next();
  EXPECT_LE(gtrid.size(), kMaxGtridLength);
  EXPECT_TRUE(gen.ours(gtrid));
}

TEST(XidGeneratorTest, UniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  XidGenerator gen("ab", 3);
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      made[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(gen.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& v : made) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  // Exactly 1..N were handed out.
  EXPECT_TRUE(all.count("sp-ab-3-1"));
  EXPECT_TRUE(all.count("sp-ab-3-" + std::to_string(kThreads * kPerThread)));
  for (const auto& gtrid : all) EXPECT_TRUE(gen.ours(gtrid)) << gtrid;
}

TEST(XidGeneratorTest, Ours) {
  XidGenerator gen("ab", 3);
  EXPECT_TRUE(gen.ours(gen.next()));
  EXPECT_TRUE(gen.ours("sp-ab-1-99"));  // an earlier boot
  EXPECT_TRUE(gen.ours("sp-ab-12345-1"));

  EXPECT_FALSE(gen.ours("sp-abc-3-1"));  // another instance that merely starts alike
  EXPECT_FALSE(gen.ours("sp-a-3-1"));
  EXPECT_FALSE(gen.ours("sp-ab-c-3-1"));  // instance "ab-c"
  EXPECT_FALSE(gen.ours("sp-cd-3-1"));
  EXPECT_FALSE(gen.ours("xx-ab-3-1"));
  EXPECT_FALSE(gen.ours("sp-ab-3"));
  EXPECT_FALSE(gen.ours("sp-ab-3-"));
  EXPECT_FALSE(gen.ours("sp-ab--1"));
  EXPECT_FALSE(gen.ours("sp-ab-3-1x"));
  EXPECT_FALSE(gen.ours("sp-ab-3-1-2"));
  EXPECT_FALSE(gen.ours("sp-ab-"));
  EXPECT_FALSE(gen.ours(""));

  XidGenerator other("abc", 3);
  EXPECT_FALSE(gen.ours(other.next()));
  EXPECT_FALSE(other.ours(gen.next()));
}

}  // namespace
}  // namespace shardproxy::txn
