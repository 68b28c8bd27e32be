// Authentication plugins: scramble generation and verification for mysql_native_password and
// caching_sha2_password, and the auth-phase packets (AuthSwitchRequest, AuthMoreData).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

// kScrambleLength random bytes, none of them NUL or '$' (clients treat the scramble as a
// C string).
std::string makeScramble();

// mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
std::string nativePasswordToken(std::string_view password, std::string_view scramble);
bool checkNativePassword(std::string_view response, std::string_view password,
                         std::string_view scramble);

// caching_sha2_password fast path: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble).
std::string cachingSha2Token(std::string_view password, std::string_view scramble);
bool checkCachingSha2(std::string_view response, std::string_view password,
                      std::string_view scramble);

// caching_sha2_password full authentication: the client sends its password XOR the scramble,
// encrypted with the server's RSA public key (OAEP padding).
class RsaKey {
 public:
  static std::unique_ptr<RsaKey> generate(int bits = 2048);
  ~RsaKey();
  const std::string& publicKeyPem() const { return publicPem_; }
  std::optional<std::string> decrypt(std::string_view cipher) const;

 private:
  RsaKey() = default;
  void* key_ = nullptr;  // EVP_PKEY*
  std::string publicPem_;
};

// Recovers the password from a decrypted full-auth message: plain XOR scramble, NUL-terminated.
std::string unscramblePassword(std::string_view plain, std::string_view scramble);

// AuthSwitchRequest: 0xfe, plugin name, plugin data (scramble + NUL).
std::string encodeAuthSwitchRequest(std::string_view plugin, std::string_view scramble);
// AuthMoreData: 0x01 + data. caching_sha2 uses 0x03 fast-auth-ok, 0x04 full-auth-needed.
std::string encodeAuthMoreData(std::string_view data);
inline constexpr char kCachingSha2FastAuthOk = 0x03;
inline constexpr char kCachingSha2FullAuth = 0x04;
inline constexpr char kCachingSha2PublicKeyRequest = 0x02;

}  // namespace shardproxy::protocol
