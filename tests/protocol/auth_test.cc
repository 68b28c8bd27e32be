// Authentication plugins. Expected tokens were computed independently with Python's hashlib:
//   native:  sha1(pw) XOR sha1(scramble + sha1(sha1(pw)))
//   sha2:    sha256(pw) XOR sha256(sha256(sha256(pw)) + scramble)
#include "protocol/auth.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "protocol/constants.h"
#include "protocol/rsa_client.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::clientPlaintext;
using test::encryptWithPublicPem;
using test::fromHex;

struct KnownAnswer {
  const char* password;
  std::string scramble;
  const char* nativeHex;
  const char* sha2Hex;
};

const KnownAnswer kKnownAnswers[] = {
    {"secret", "ABCDEFGHIJKLMNOPQRST", "28441590674285e7d03cae7af237504797f70e91",
     "d721e183c1f036a196c1389201b8d53f38064a16f1d0923683ab886763152d75"},
    {"p@ssw0rd!", "ABCDEFGHIJKLMNOPQRST", "c8f22cdcd73f4d7d43388e66695d2c31bd157b4e",
     "d5282651a6c911bf6efaa583ca7081697b6775230bf3304e22c15e69f5a587b8"},
    {"secret", fromHex("3d5a7c1f2b6e0a4c55716f4d3a1e7b2c5f667e30"),
     "8268ae6f307dfab05c0b82826e311eee9f93ccd3",
     "6db82dc112bf52d9ad0b2898c85825722eb8d3844c1be21c319167debf0ad055"},
};

TEST(NativePasswordTest, KnownAnswers) {
  for (const auto& k : kKnownAnswers) {
    SCOPED_TRACE(k.password);
    std::string token = nativePasswordToken(k.password, k.scramble);
    EXPECT_BYTES_EQ(fromHex(k.nativeHex), token);
    EXPECT_TRUE(checkNativePassword(token, k.password, k.scramble));
  }
}

// AuthSwitchRequest and the greeting carry the scramble with a trailing NUL; only the first
// 20 bytes count.
TEST(NativePasswordTest, IgnoresBytesAfterTheScramble) {
  const auto& k = kKnownAnswers[0];
  std::string withNul = k.scramble + std::string(1, '\0');
  EXPECT_BYTES_EQ(fromHex(k.nativeHex), nativePasswordToken(k.password, withNul));
  EXPECT_TRUE(checkNativePassword(fromHex(k.nativeHex), k.password, withNul));
}

TEST(NativePasswordTest, WrongResponsesAreRejected) {
  const auto& k = kKnownAnswers[0];
  std::string good = fromHex(k.nativeHex);
  std::string flipped = good;
  flipped[19] = static_cast<char>(flipped[19] ^ 1);
  EXPECT_FALSE(checkNativePassword(good, "Secret", k.scramble));
  EXPECT_FALSE(checkNativePassword(good, "secret", "ABCDEFGHIJKLMNOPQRSX"));
  EXPECT_FALSE(checkNativePassword(flipped, "secret", k.scramble));
  EXPECT_FALSE(checkNativePassword(good.substr(0, 19), "secret", k.scramble));
  EXPECT_FALSE(checkNativePassword(good + "x", "secret", k.scramble));
  EXPECT_FALSE(checkNativePassword("", "secret", k.scramble));
  // A token for another plugin must not pass.
  EXPECT_FALSE(checkNativePassword(fromHex(k.sha2Hex), "secret", k.scramble));
}

// An empty password is sent as an empty auth response.
TEST(NativePasswordTest, EmptyPassword) {
  EXPECT_EQ(nativePasswordToken("", "ABCDEFGHIJKLMNOPQRST"), "");
  EXPECT_TRUE(checkNativePassword("", "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(
      checkNativePassword(fromHex(kKnownAnswers[0].nativeHex), "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(checkNativePassword(std::string(1, '\0'), "", "ABCDEFGHIJKLMNOPQRST"));
}

TEST(CachingSha2Test, KnownAnswers) {
  for (const auto& k : kKnownAnswers) {
    SCOPED_TRACE(k.password);
    std::string token = cachingSha2Token(k.password, k.scramble);
    EXPECT_BYTES_EQ(fromHex(k.sha2Hex), token);
    EXPECT_TRUE(checkCachingSha2(token, k.password, k.scramble));
    EXPECT_TRUE(checkCachingSha2(token, k.password, k.scramble + std::string(1, '\0')));
  }
}

TEST(CachingSha2Test, WrongResponsesAreRejected) {
  const auto& k = kKnownAnswers[0];
  std::string good = fromHex(k.sha2Hex);
  std::string flipped = good;
  flipped[0] = static_cast<char>(flipped[0] ^ 0x80);
  EXPECT_FALSE(checkCachingSha2(good, "secret ", k.scramble));
  EXPECT_FALSE(checkCachingSha2(flipped, "secret", k.scramble));
  EXPECT_FALSE(checkCachingSha2(good.substr(0, 31), "secret", k.scramble));
  EXPECT_FALSE(checkCachingSha2("", "secret", k.scramble));
  EXPECT_FALSE(checkCachingSha2(std::string(1, '\0'), "secret", k.scramble));
  EXPECT_FALSE(checkCachingSha2(fromHex(k.nativeHex), "secret", k.scramble));
}

// libmysqlclient sends a single NUL for an empty password under caching_sha2_password.
TEST(CachingSha2Test, EmptyPassword) {
  EXPECT_EQ(cachingSha2Token("", "ABCDEFGHIJKLMNOPQRST"), "");
  EXPECT_TRUE(checkCachingSha2("", "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_TRUE(checkCachingSha2(std::string(1, '\0'), "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(checkCachingSha2(std::string(2, '\0'), "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(checkCachingSha2("x", "", "ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(checkCachingSha2(fromHex(kKnownAnswers[0].sha2Hex), "", "ABCDEFGHIJKLMNOPQRST"));
}

TEST(ScrambleTest, TwentyBytesWithoutNulOrDollar) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string s = makeScramble();
    ASSERT_EQ(s.size(), kScrambleLength);
    EXPECT_EQ(s.find('\0'), std::string::npos) << test::toHex(s);
    EXPECT_EQ(s.find('$'), std::string::npos) << test::toHex(s);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 1000u) << "scrambles must be random";
}

// ---------------------------------------------------------------------------------------------
// caching_sha2_password full authentication over RSA.

class RsaKeyTest : public ::testing::Test {
 protected:
  // Key generation takes a while; one key serves every test.
  static void SetUpTestSuite() { key_ = RsaKey::generate(2048).release(); }
  static void TearDownTestSuite() {
    delete key_;
    key_ = nullptr;
  }
  static RsaKey* key_;
};
RsaKey* RsaKeyTest::key_ = nullptr;

TEST_F(RsaKeyTest, PublicKeyIsPem) {
  ASSERT_NE(key_, nullptr);
  const std::string& pem = key_->publicKeyPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << pem;
  EXPECT_NE(pem.find("-----END PUBLIC KEY-----"), std::string::npos);
}

TEST_F(RsaKeyTest, DecryptsWhatTheClientEncrypted) {
  ASSERT_NE(key_, nullptr);
  const std::string scramble = fromHex("3d5a7c1f2b6e0a4c55716f4d3a1e7b2c5f667e30");
  for (std::string password :
       {"secret", "", "a password longer than the twenty byte scramble", "x"}) {
    SCOPED_TRACE(password);
    auto cipher = encryptWithPublicPem(key_->publicKeyPem(), clientPlaintext(password, scramble));
    ASSERT_TRUE(cipher);
    EXPECT_EQ(cipher->size(), 256u);
    auto plain = key_->decrypt(*cipher);
    ASSERT_TRUE(plain);
    EXPECT_BYTES_EQ(clientPlaintext(password, scramble), *plain);
    EXPECT_EQ(unscramblePassword(*plain, scramble), password);
  }
}

TEST_F(RsaKeyTest, RejectsGarbage) {
  ASSERT_NE(key_, nullptr);
  auto cipher = encryptWithPublicPem(key_->publicKeyPem(), "secret");
  ASSERT_TRUE(cipher);
  std::string flipped = *cipher;
  flipped[100] = static_cast<char>(flipped[100] ^ 1);
  EXPECT_FALSE(key_->decrypt(flipped));
  EXPECT_FALSE(key_->decrypt(cipher->substr(1)));
  EXPECT_FALSE(key_->decrypt(""));
  EXPECT_FALSE(key_->decrypt(std::string(256, '\xff')));
  // MySQL clients before 8.0.5 used PKCS#1 v1.5; the server requires OAEP.
  auto v15 = encryptWithPublicPem(key_->publicKeyPem(), "secret", RSA_PKCS1_PADDING);
  ASSERT_TRUE(v15);
  EXPECT_FALSE(key_->decrypt(*v15));
}

TEST_F(RsaKeyTest, GeneratesDistinctKeys) {
  auto other = RsaKey::generate(1024);
  ASSERT_TRUE(other);
  EXPECT_NE(other->publicKeyPem(), key_->publicKeyPem());
  auto cipher = encryptWithPublicPem(other->publicKeyPem(), "secret");
  ASSERT_TRUE(cipher);
  EXPECT_FALSE(key_->decrypt(*cipher));
  EXPECT_EQ(other->decrypt(*cipher), "secret");
}

TEST(UnscramblePasswordTest, StopsAtTheNul) {
  const std::string scramble = "ABCDEFGHIJKLMNOPQRST";
  EXPECT_EQ(unscramblePassword(clientPlaintext("secret", scramble), scramble), "secret");
  // Without a NUL the whole plaintext is the password.
  std::string noNul = clientPlaintext("secret", scramble);
  noNul.pop_back();
  EXPECT_EQ(unscramblePassword(noNul, scramble), "secret");
  EXPECT_EQ(unscramblePassword("", scramble), "");
  // Bytes after the scramble are ignored, as in the greeting's NUL-terminated copy.
  EXPECT_EQ(unscramblePassword(clientPlaintext("secret", scramble), scramble + "!!"), "secret");
}

// ---------------------------------------------------------------------------------------------
// Auth-phase packets

TEST(AuthPacketsTest, AuthSwitchRequest) {
  EXPECT_BYTES_EQ(fromHex("fe"                                             // header
                          "6d7973716c5f6e61746976655f70617373776f7264 00"  // plugin name
                          "4142434445464748494a4b4c4d4e4f5051525354 00"),  // scramble + NUL
                  encodeAuthSwitchRequest(kNativePasswordPlugin, "ABCDEFGHIJKLMNOPQRST"));
}

TEST(AuthPacketsTest, AuthMoreData) {
  EXPECT_BYTES_EQ(fromHex("01 03"), encodeAuthMoreData(std::string(1, kCachingSha2FastAuthOk)));
  EXPECT_BYTES_EQ(fromHex("01 04"), encodeAuthMoreData(std::string(1, kCachingSha2FullAuth)));
  EXPECT_BYTES_EQ(fromHex("01 2d2d2d"), encodeAuthMoreData("---"));
  EXPECT_BYTES_EQ(fromHex("01"), encodeAuthMoreData(""));
}

}  // namespace
}  // namespace shardproxy::protocol
