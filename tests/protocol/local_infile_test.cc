// LOAD DATA LOCAL INFILE request and end-of-file packets, as byte fixtures.
#include "protocol/local_infile.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/framing.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

TEST(LocalInfileTest, RequestBytes) {
  struct Case {
    std::string name;
    std::string hex;
  } cases[] = {
      {"data.csv", "fb 64 61 74 61 2e 63 73 76"},
      {"/tmp/a b", "fb 2f 74 6d 70 2f 61 20 62"},
      {"", "fb"},  // MySQL sends the name as written, even an empty one
  };
  for (const Case& c : cases) {
    std::string out;
    encodeLocalInfileRequest(out, c.name);
    EXPECT_EQ(out, fromHex(c.hex)) << c.name;
    auto back = decodeLocalInfileRequest(out);
    ASSERT_TRUE(back) << c.name;
    EXPECT_EQ(*back, c.name);
  }
}

TEST(LocalInfileTest, RequestInAPacket) {
  // After COM_QUERY (sequence 0) the request is the server's packet 1.
  std::string payload;
  encodeLocalInfileRequest(payload, "f");
  std::string packet;
  uint8_t seq = 1;
  appendPacket(packet, payload, seq);
  EXPECT_EQ(packet, fromHex("02 00 00 01 fb 66"));
  EXPECT_EQ(seq, 2);
}

TEST(LocalInfileTest, OtherPayloadsAreNoRequest) {
  for (const std::string& hex : {std::string(""), std::string("00 00 00 02 00 00 00"),
                                 std::string("ff 7c 04 23 34 32 30 30 30"), std::string("01"),
                                 std::string("fe 00 00 02 00")}) {
    EXPECT_FALSE(decodeLocalInfileRequest(fromHex(hex))) << hex;
  }
}

TEST(LocalInfileTest, EmptyPacketEndsTheFile) {
  EXPECT_TRUE(endsLocalInfile(""));
  EXPECT_FALSE(endsLocalInfile(fromHex("0a")));
  EXPECT_FALSE(endsLocalInfile(std::string(1, '\0')));
}

}  // namespace
}  // namespace shardproxy::protocol
