// COM_CHANGE_USER: byte fixtures as libmariadb and old clients send it, the optional trailing
// fields per capability, the message cut at every byte and with bytes appended, and round trips.
#include "protocol/change_user.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

constexpr uint32_t kModern = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                             cap::kConnectAttrs | cap::kPluginAuthLenencData;

std::optional<ChangeUserRequest> decode(const std::string& payload, uint32_t caps = kModern) {
  auto c = decodeCommand(payload);
  if (!c) return std::nullopt;
  return decodeChangeUser(*c, caps);
}

// As libmariadb's mysql_change_user() sends it: every field, a one-byte auth length.
const std::string kLibmariadb = fromHex(
    "11"                                             // COM_CHANGE_USER
    "61 70 70 00"                                    // user "app"
    "14 0102030405060708090a0b0c0d0e0f1011121314"    // auth, 20 bytes
    "64 62 31 00"                                    // database "db1"
    "2d 00"                                          // utf8mb4_general_ci
    "6d7973716c5f6e61746976655f70617373776f7264 00"  // mysql_native_password
    "0a 04 5f706964 04 31323334");                   // attrs: _pid=1234

TEST(ChangeUserTest, DecodesWhatLibmariadbSends) {
  auto r = decode(kLibmariadb);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "app");
  EXPECT_EQ(r->authResponse, fromHex("0102030405060708090a0b0c0d0e0f1011121314"));
  EXPECT_EQ(r->database, "db1");
  ASSERT_TRUE(r->collation);
  EXPECT_EQ(*r->collation, 45);
  EXPECT_EQ(r->authPlugin, "mysql_native_password");
  ASSERT_EQ(r->attributes.size(), 1u);
  EXPECT_EQ(r->attributes[0], (std::pair<std::string, std::string>{"_pid", "1234"}));
  EXPECT_EQ(encodeChangeUser(*r, kModern), kLibmariadb);
}

TEST(ChangeUserTest, OldClientsStopAfterTheDatabase) {
  // No character set, no plugin: the session's stay.
  auto r = decode(fromHex("11 726f6f74 00 00 00"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "root");
  EXPECT_EQ(r->authResponse, "");
  EXPECT_EQ(r->database, "");
  EXPECT_FALSE(r->collation);
  EXPECT_EQ(r->authPlugin, "");
  // Without CLIENT_SECURE_CONNECTION the auth response is NUL-terminated.
  r = decode(fromHex("11 61 00 78797a 00 64 00"), cap::kProtocol41);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authResponse, "xyz");
  EXPECT_EQ(r->database, "d");
  // The plugin and attributes are read only with their capabilities.
  const std::string withPlugin = fromHex("11 61 00 00 00 2d00 706c7567 00");
  EXPECT_EQ(decode(withPlugin)->authPlugin, "plug");
  EXPECT_FALSE(decode(withPlugin, cap::kProtocol41 | cap::kSecureConnection));
}

TEST(ChangeUserTest, TrailingStringsMayLackTheirNul) {
  auto r = decode(fromHex("11 61 00 00 6462"));  // database "db" without its NUL
  ASSERT_TRUE(r);
  EXPECT_EQ(r->database, "db");
  r = decode(fromHex("11 61 00 00 00 2d00 706c7567"), cap::kSecureConnection | cap::kPluginAuth);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authPlugin, "plug");
}

TEST(ChangeUserTest, ErrorRows) {
  const std::pair<const char*, std::string> rows[] = {
      {"empty", fromHex("11")},
      {"user without NUL", fromHex("11 616263")},
      {"auth length past the end", fromHex("11 61 00 14 0102")},
      {"attributes length past the end", fromHex("11 61 00 00 00 2d00 00 10 01 61")},
      {"attribute cut", fromHex("11 61 00 00 00 2d00 00 03 01 61 05")},
      {"not COM_CHANGE_USER", fromHex("03 61 00 00 00")},
  };
  for (const auto& [name, payload] : rows) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(decode(payload));
  }
}

// Cut at every byte and extended by bytes: never a crash, and a prefix that decodes reads
// no more than it was given.
TEST(ChangeUserTest, CutShortAndExtended) {
  for (size_t n = 1; n <= kLibmariadb.size() + 3; ++n) {
    SCOPED_TRACE(n);
    std::string p = n <= kLibmariadb.size()
                        ? kLibmariadb.substr(0, n)
                        : kLibmariadb + std::string(n - kLibmariadb.size(), 'x');
    std::unique_ptr<char[]> copy(new char[p.size()]);
    std::copy(p.begin(), p.end(), copy.get());
    auto c = decodeCommand(std::string_view(copy.get(), p.size()));
    ASSERT_TRUE(c);
    auto r = decodeChangeUser(*c, kModern);
    if (n == kLibmariadb.size()) {
      EXPECT_TRUE(r);
    } else if (r) {
      EXPECT_LE(r->user.size() + r->authResponse.size() + r->database.size(), n);
    }
  }
}

TEST(ChangeUserTest, RoundTrips) {
  ChangeUserRequest r;
  r.user = "alice";
  r.authResponse = std::string(32, '\x7f');
  r.database = "shop";
  r.collation = 224;
  r.authPlugin = kCachingSha2Plugin;
  r.attributes = {{"_client_name", "libmariadb"}, {"", ""}};
  for (uint32_t caps : {kModern, kModern & ~cap::kConnectAttrs, cap::kSecureConnection,
                        static_cast<uint32_t>(cap::kProtocol41)}) {
    SCOPED_TRACE(caps);
    ChangeUserRequest expected = r;
    if (!(caps & cap::kPluginAuth)) expected.authPlugin.clear();
    if (!(caps & cap::kConnectAttrs)) expected.attributes.clear();
    auto back = decode(encodeChangeUser(r, caps), caps);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->user, expected.user);
    EXPECT_EQ(back->authResponse, expected.authResponse);
    EXPECT_EQ(back->database, expected.database);
    EXPECT_EQ(back->collation, expected.collation);
    EXPECT_EQ(back->authPlugin, expected.authPlugin);
    EXPECT_EQ(back->attributes, expected.attributes);
  }
}

}  // namespace
}  // namespace shardproxy::protocol
