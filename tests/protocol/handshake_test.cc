// Connection phase: the server greeting (Handshake V10) and the client's HandshakeResponse41 and
// SSLRequest, with fixtures laid out the way MySQL 8, MariaDB and libmysqlclient send them.
#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

// The scramble used in all fixtures: part 1 is 8 bytes, part 2 is 12.
const std::string kScramble = fromHex("3d5a7c1f2b6e0a4c 55716f4d3a1e7b2c5f667e30");

// ---------------------------------------------------------------------------------------------
// Greeting

// MySQL 8.0.36, TLS available, default collation utf8mb4_0900_ai_ci.
const std::string kMysql8Greeting = fromHex(
    "0a"                                             // protocol version 10
    "382e302e3336 00"                                // server version "8.0.36"
    "0b000000"                                       // connection id 11
    "3d5a7c1f2b6e0a4c"                               // auth-plugin-data part 1 (8 bytes)
    "00"                                             // filler
    "ffff"                                           // capabilities, low 16 bits
    "ff"                                             // collation 255
    "0200"                                           // status: SERVER_STATUS_AUTOCOMMIT
    "ffdf"                                           // capabilities, high 16 bits
    "15"                                             // auth-plugin-data length 21
    "00000000000000000000"                           // reserved (10 bytes)
    "55716f4d3a1e7b2c5f667e30 00"                    // auth-plugin-data part 2 (12 + NUL)
    "63616368696e675f736861325f70617373776f7264 00"  // "caching_sha2_password"
);
constexpr size_t kMysql8FixedEnd = 1 + 7 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + 13;

// MariaDB 10.11 from Debian 12: the "5.5.5-" version prefix, CLIENT_MYSQL (bit 0) cleared and
// MariaDB's extended capabilities in the last 4 reserved bytes.
const std::string kMariadbGreeting = fromHex(
    "0a"                                                                 // protocol version 10
    "352e352e352d31302e31312e362d4d6172696144422d302b64656231327531 00"  // version
    "25000000"                                                           // connection id 37
    "3d5a7c1f2b6e0a4c"                                                   // part 1
    "00"                                                                 // filler
    "fef7"                                                               // capabilities low
    "2d"                                                                 // collation 45
    "0200"                                                               // status
    "ff81"                                                               // capabilities high
    "15"                                                                 // data length 21
    "000000000000"                                                       // reserved (6 bytes)
    "1d000000"                                                           // MariaDB capabilities
    "55716f4d3a1e7b2c5f667e30 00"                                        // part 2
    "6d7973716c5f6e61746976655f70617373776f7264 00"                      // "mysql_native_password"
);

TEST(GreetingTest, DecodesMysql8) {
  auto g = decodeGreeting(kMysql8Greeting);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->serverVersion, "8.0.36");
  EXPECT_EQ(g->connectionId, 11u);
  EXPECT_BYTES_EQ(kScramble, g->scramble);
  EXPECT_EQ(g->capabilities, 0xdfffffffu);
  EXPECT_EQ(g->collation, 255);
  EXPECT_EQ(g->statusFlags, status::kAutocommit);
  EXPECT_EQ(g->authPlugin, kCachingSha2Plugin);
}

TEST(GreetingTest, DecodesMariadb) {
  auto g = decodeGreeting(kMariadbGreeting);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->serverVersion, "5.5.5-10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(g->connectionId, 37u);
  EXPECT_BYTES_EQ(kScramble, g->scramble);
  EXPECT_EQ(g->capabilities, 0x81fff7feu);
  EXPECT_FALSE(g->capabilities & cap::kLongPassword);
  EXPECT_TRUE(g->capabilities & cap::kPluginAuth);
  EXPECT_EQ(g->collation, 45);
  EXPECT_EQ(g->authPlugin, kNativePasswordPlugin);
}

TEST(GreetingTest, EncodesMysql8ByteForByte) {
  ServerGreeting g;
  g.serverVersion = "8.0.36";
  g.connectionId = 11;
  g.scramble = kScramble;
  g.capabilities = 0xdfffffff;
  g.collation = 255;
  g.statusFlags = status::kAutocommit;
  g.authPlugin = kCachingSha2Plugin;
  EXPECT_BYTES_EQ(kMysql8Greeting, encodeGreeting(g));
}

TEST(GreetingTest, RoundTrips) {
  ServerGreeting g;
  g.serverVersion = "5.7.0-shardproxy";
  g.connectionId = 0xfedcba98;
  g.scramble = kScramble;
  g.capabilities =
      cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kDeprecateEof | cap::kSsl;
  g.collation = 45;
  g.statusFlags = status::kAutocommit | status::kInTrans;
  g.authPlugin = kNativePasswordPlugin;
  auto back = decodeGreeting(encodeGreeting(g));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->serverVersion, g.serverVersion);
  EXPECT_EQ(back->connectionId, g.connectionId);
  EXPECT_BYTES_EQ(g.scramble, back->scramble);
  EXPECT_EQ(back->capabilities, g.capabilities);
  EXPECT_EQ(back->collation, g.collation);
  EXPECT_EQ(back->statusFlags, g.statusFlags);
  EXPECT_EQ(back->authPlugin, g.authPlugin);
}

TEST(GreetingTest, CutShortInTheFixedPartIsRejected) {
  test::expectEveryPrefixRejected(kMysql8Greeting.substr(0, kMysql8FixedEnd),
                                  [](std::string_view p) { return decodeGreeting(p); });
}

// Old servers (MySQL bug #59453) leave out the NUL after the plugin name, so a greeting that
// ends inside the name is taken as a shorter name.
TEST(GreetingTest, PluginNameWithoutNulIsAccepted) {
  for (size_t n = kMysql8FixedEnd; n < kMysql8Greeting.size(); ++n) {
    auto g = decodeGreeting(kMysql8Greeting.substr(0, n));
    ASSERT_TRUE(g) << n;
    EXPECT_EQ(g->authPlugin, std::string(kCachingSha2Plugin).substr(0, n - kMysql8FixedEnd));
  }
}

TEST(GreetingTest, ErrorRows) {
  std::string wrongVersion = kMysql8Greeting;
  wrongVersion[0] = 9;
  std::string errPacket = fromHex("ff 6a04 486f7374");  // ERR 1130 sent instead of a greeting
  std::string trailing = kMysql8Greeting + fromHex("00");
  std::string noVersionNul = fromHex("0a 382e302e3336");
  for (const auto& [name, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"protocol version 9", wrongVersion},
                                                        {"ERR packet", errPacket},
                                                        {"byte after the plugin name", trailing},
                                                        {"version without NUL", noVersionNul},
                                                        {"empty", ""}}) {
    EXPECT_FALSE(decodeGreeting(bytes)) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// HandshakeResponse41

// What libmysqlclient 8.0 sends for `mysql -u root -psecret shop`: CLIENT_CONNECT_WITH_DB,
// CLIENT_PLUGIN_AUTH, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA and CLIENT_CONNECT_ATTRS, the
// caching_sha2_password token for "secret" and kScramble.
const std::string kLibmysqlResponse = fromHex(
    "8da6ff01"                                        // capabilities 0x01ffa68d
    "00000001"                                        // max packet size 16 MiB
    "ff"                                              // collation 255
    "0000000000000000000000000000000000000000000000"  // filler (23 bytes)
    "726f6f74 00"                                     // user "root"
    "20"                                              // auth response length 32 (lenenc)
    "6db82dc112bf52d9ad0b2898c85825722eb8d3844c1be21c319167debf0ad055"  // SHA256 token
    "73686f70 00"                                                       // database "shop"
    "63616368696e675f736861325f70617373776f7264 00"      // plugin "caching_sha2_password"
    "66"                                                 // attributes: 102 bytes
    "04 5f706964 05 3132333435"                          // _pid = 12345
    "09 5f706c6174666f726d 06 7838365f3634"              // _platform = x86_64
    "03 5f6f73 05 4c696e7578"                            // _os = Linux
    "0c 5f636c69656e745f6e616d65 08 6c69626d7973716c"    // _client_name = libmysql
    "0f 5f636c69656e745f76657273696f6e 06 382e302e3336"  // _client_version = 8.0.36
    "0c 70726f6772616d5f6e616d65 05 6d7973716c"          // program_name = mysql
);
constexpr size_t kLibmysqlAuthEnd = 32 + 5 + 33;
constexpr size_t kLibmysqlPluginEnd = kLibmysqlAuthEnd + 5 + 22;

// A client without CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (PyMySQL against a server that does
// not offer it): the auth response has a 1-byte length; no attributes.
const std::string kShortAuthResponse = fromHex(
    "0da20a00"                                        // capabilities 0x000aa20d
    "00000001"                                        // max packet size 16 MiB
    "2d"                                              // collation 45
    "0000000000000000000000000000000000000000000000"  // filler (23 bytes)
    "617070 00"                                       // user "app"
    "14"                                              // auth response length 20 (1 byte)
    "8268ae6f307dfab05c0b82826e311eee9f93ccd3"        // SHA1 token
    "73686f70 00"                                     // database "shop"
    "6d7973716c5f6e61746976655f70617373776f7264 00"   // plugin "mysql_native_password"
);
constexpr size_t kShortAuthEnd = 32 + 4 + 21;

// The SSLRequest: the first 32 bytes of a response, with CLIENT_SSL.
const std::string kSslRequest = fromHex(
    "85aeff01"                                        // capabilities 0x01ffae85 (CLIENT_SSL set)
    "00000001"                                        // max packet size
    "ff"                                              // collation 255
    "0000000000000000000000000000000000000000000000"  // filler (23 bytes)
);

// HandshakeResponse320 from a pre-4.1 client: 2-byte capabilities, 3-byte max packet size.
const std::string kResponse320 = fromHex(
    "85a4"                   // capabilities 0xa485, no CLIENT_PROTOCOL_41
    "000000"                 // max packet size
    "726f6f74 00"            // user "root"
    "3132333435363738 00");  // scrambled password

TEST(HandshakeResponseTest, DecodesLibmysqlclientResponse) {
  auto d = decodeHandshakeResponse(kLibmysqlResponse);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->sslRequest);
  const HandshakeResponse& r = d->response;
  EXPECT_EQ(r.capabilities, 0x01ffa68du);
  for (uint32_t flag : {cap::kProtocol41, cap::kConnectWithDb, cap::kPluginAuth,
                        cap::kPluginAuthLenencData, cap::kConnectAttrs, cap::kDeprecateEof}) {
    EXPECT_TRUE(r.capabilities & flag) << flag;
  }
  EXPECT_EQ(r.maxPacketSize, 16u * 1024 * 1024);
  EXPECT_EQ(r.collation, 255);
  EXPECT_EQ(r.user, "root");
  EXPECT_BYTES_EQ(fromHex("6db82dc112bf52d9ad0b2898c85825722eb8d3844c1be21c319167debf0ad055"),
                  r.authResponse);
  EXPECT_EQ(r.database, "shop");
  EXPECT_EQ(r.authPlugin, kCachingSha2Plugin);
  const std::vector<std::pair<std::string, std::string>> attrs = {{"_pid", "12345"},
                                                                  {"_platform", "x86_64"},
                                                                  {"_os", "Linux"},
                                                                  {"_client_name", "libmysql"},
                                                                  {"_client_version", "8.0.36"},
                                                                  {"program_name", "mysql"}};
  EXPECT_EQ(r.attributes, attrs);
}

TEST(HandshakeResponseTest, DecodesOneByteAuthLength) {
  auto d = decodeHandshakeResponse(kShortAuthResponse);
  ASSERT_TRUE(d);
  const HandshakeResponse& r = d->response;
  EXPECT_FALSE(r.capabilities & cap::kPluginAuthLenencData);
  EXPECT_EQ(r.collation, 45);
  EXPECT_EQ(r.user, "app");
  EXPECT_BYTES_EQ(fromHex("8268ae6f307dfab05c0b82826e311eee9f93ccd3"), r.authResponse);
  EXPECT_EQ(r.database, "shop");
  EXPECT_EQ(r.authPlugin, kNativePasswordPlugin);
  EXPECT_TRUE(r.attributes.empty());
}

TEST(HandshakeResponseTest, EncodesByteForByte) {
  for (const std::string* fixture : {&kLibmysqlResponse, &kShortAuthResponse}) {
    auto d = decodeHandshakeResponse(*fixture);
    ASSERT_TRUE(d);
    EXPECT_BYTES_EQ(*fixture, encodeHandshakeResponse(d->response));
  }
}

TEST(HandshakeResponseTest, RoundTripsLongAuthAndAttributes) {
  HandshakeResponse r;
  r.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                   cap::kPluginAuthLenencData | cap::kConnectAttrs | cap::kConnectWithDb;
  r.maxPacketSize = 0x40000000;
  r.collation = 224;
  r.user = "user_with_a_long_name";
  r.authResponse = test::patternBytes(300);  // lenenc 0xfc length
  r.database = "db";
  r.authPlugin = "client_ed25519";
  for (int i = 0; i < 20; ++i) {
    r.attributes.emplace_back("key" + std::to_string(i), std::string(i * 3, 'v'));
  }
  r.attributes.emplace_back("", "");
  std::string bytes = encodeHandshakeResponse(r);
  auto d = decodeHandshakeResponse(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->response.capabilities, r.capabilities);
  EXPECT_EQ(d->response.maxPacketSize, r.maxPacketSize);
  EXPECT_EQ(d->response.collation, r.collation);
  EXPECT_EQ(d->response.user, r.user);
  EXPECT_TRUE(d->response.authResponse == r.authResponse);
  EXPECT_EQ(d->response.database, r.database);
  EXPECT_EQ(d->response.authPlugin, r.authPlugin);
  EXPECT_EQ(d->response.attributes, r.attributes);
}

TEST(HandshakeResponseTest, CutShortBeforeTheAuthResponseEndsIsRejected) {
  auto decode = [](std::string_view p) { return decodeHandshakeResponse(p); };
  test::expectEveryPrefixRejected(kLibmysqlResponse.substr(0, kLibmysqlAuthEnd), decode);
  test::expectEveryPrefixRejected(kShortAuthResponse.substr(0, kShortAuthEnd), decode);
}

// Database and plugin name are trailing strings that clients may end without NUL, and a client
// may stop after any of them; a cut inside the attribute block is an error.
TEST(HandshakeResponseTest, CutShortInTheOptionalTailIsLenientExceptInAttributes) {
  for (size_t n = kLibmysqlAuthEnd; n < kLibmysqlResponse.size(); ++n) {
    auto d = decodeHandshakeResponse(kLibmysqlResponse.substr(0, n));
    if (n > kLibmysqlPluginEnd) {
      EXPECT_FALSE(d) << n;
      continue;
    }
    ASSERT_TRUE(d) << n;
    EXPECT_EQ(d->response.user, "root");
    EXPECT_EQ(d->response.authResponse.size(), 32u);
    EXPECT_EQ(std::string("shop").substr(0, d->response.database.size()), d->response.database);
    EXPECT_EQ(std::string(kCachingSha2Plugin).substr(0, d->response.authPlugin.size()),
              d->response.authPlugin);
    EXPECT_TRUE(d->response.attributes.empty());
  }
}

TEST(HandshakeResponseTest, DecodesSslRequest) {
  ASSERT_EQ(kSslRequest.size(), 32u);
  auto d = decodeHandshakeResponse(kSslRequest);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->sslRequest);
  EXPECT_EQ(d->response.capabilities, 0x01ffae85u);
  EXPECT_EQ(d->response.maxPacketSize, 16u * 1024 * 1024);
  EXPECT_EQ(d->response.collation, 255);
  EXPECT_TRUE(d->response.user.empty());
  test::expectEveryPrefixRejected(kSslRequest,
                                  [](std::string_view p) { return decodeHandshakeResponse(p); });
}

// After TLS is up the client sends the full response, CLIENT_SSL still set.
TEST(HandshakeResponseTest, FullResponseAfterTlsIsNotAnSslRequest) {
  std::string full = kLibmysqlResponse;
  full[1] = static_cast<char>(full[1] | 0x08);  // CLIENT_SSL is bit 11
  auto d = decodeHandshakeResponse(full);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->sslRequest);
  EXPECT_TRUE(d->response.capabilities & cap::kSsl);
  EXPECT_EQ(d->response.user, "root");
}

TEST(HandshakeResponseTest, ErrorRows) {
  std::string sslWithoutFlag = kSslRequest;
  sslWithoutFlag[1] = static_cast<char>(sslWithoutFlag[1] & ~0x08);
  std::string noProtocol41 = kLibmysqlResponse;
  noProtocol41[1] = static_cast<char>(noProtocol41[1] & ~0x02);  // CLIENT_PROTOCOL_41 is bit 9
  std::string header = kShortAuthResponse.substr(0, 32);
  const std::vector<std::pair<std::string, std::string>> kRows = {
      {"HandshakeResponse320", kResponse320},
      {"41 layout without CLIENT_PROTOCOL_41", noProtocol41},
      {"32 bytes without CLIENT_SSL", sslWithoutFlag},
      {"byte after the attributes", kLibmysqlResponse + fromHex("00")},
      {"byte after the plugin name", kShortAuthResponse + fromHex("00")},
      {"user without NUL", header + fromHex("617070")},
      {"1-byte auth length past the end", header + fromHex("61707000 14 0102")},
      {"lenenc auth NULL",
       kLibmysqlResponse.substr(0, 32 + 5) + fromHex("fb") + kLibmysqlResponse.substr(70)},
      {"attribute without value",
       kLibmysqlResponse.substr(0, kLibmysqlPluginEnd) + fromHex("04 03 5f6f73")},
      {"attribute value longer than the block",
       kLibmysqlResponse.substr(0, kLibmysqlPluginEnd) + fromHex("04 01 61 05 62")},
      {"attribute block longer than the packet",
       kLibmysqlResponse.substr(0, kLibmysqlPluginEnd) + fromHex("fc 0001 00")},
      {"attribute block length NULL",
       kLibmysqlResponse.substr(0, kLibmysqlPluginEnd) + fromHex("fb")},
  };
  for (const auto& [name, bytes] : kRows) {
    EXPECT_FALSE(decodeHandshakeResponse(bytes)) << name;
  }
}

}  // namespace
}  // namespace shardproxy::protocol
