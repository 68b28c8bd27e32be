// Fuzz target for the authentication code: the password checks and the RSA full-auth path with
// a client-chosen response, and decodeGreeting (the backend side of the same exchange).
//
// Input layout (FuzzedDataProvider): scramble, password, then the auth response; the whole
// input is also decoded as a greeting.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace {

using namespace shardproxy::protocol;

const RsaKey& rsaKey() {
  // Small, to keep each decryption cheap; generated once per process.
  static const std::unique_ptr<RsaKey> key = RsaKey::generate(1024);
  FUZZ_CHECK(key != nullptr);
  return *key;
}

void checkPasswords(std::string_view scramble, std::string_view password,
                    std::string_view response) {
  bool native = checkNativePassword(response, password, scramble);
  bool sha2 = checkCachingSha2(response, password, scramble);
  std::string nativeToken = nativePasswordToken(password, scramble);
  std::string sha2Token = cachingSha2Token(password, scramble);
  FUZZ_CHECK(checkNativePassword(nativeToken, password, scramble));
  FUZZ_CHECK(checkCachingSha2(sha2Token, password, scramble));
  FUZZ_CHECK(nativeToken.size() == (password.empty() ? 0 : 20));
  FUZZ_CHECK(sha2Token.size() == (password.empty() ? 0 : 32));
  // A response is accepted only if it is the token (or, for an empty password, empty/NUL).
  if (native) FUZZ_CHECK(response == nativeToken);
  if (sha2) {
    FUZZ_CHECK(response == sha2Token ||
               (password.empty() && response == std::string_view("\0", 1)));
  }
}

void checkFullAuth(std::string_view scramble, std::string_view response) {
  // unscramblePassword XORs with the scramble, repeating it: it needs a non-empty one, which
  // the server always has (its own 20 bytes).
  if (!scramble.empty()) {
    std::string password = unscramblePassword(response, scramble);
    FUZZ_CHECK(password.size() <= response.size());
    FUZZ_CHECK(password.find('\0') == std::string::npos);
  }
  if (response.size() == 128) {
    auto plain = rsaKey().decrypt(response);
    if (plain && !scramble.empty()) {
      FUZZ_CHECK(unscramblePassword(*plain, scramble).size() <= plain->size());
    }
  }
}

void checkGreeting(std::string_view payload) {
  auto g = decodeGreeting(payload);
  if (!g) return;
  FUZZ_CHECK(g->scramble.size() >= kScrambleLength);
  // The encoder always writes a 20-byte scramble, so only those greetings round-trip.
  if (g->scramble.size() != kScrambleLength) return;
  auto again = decodeGreeting(encodeGreeting(*g));
  FUZZ_CHECK(again);
  FUZZ_CHECK(again->serverVersion == g->serverVersion && again->connectionId == g->connectionId &&
             again->scramble == g->scramble && again->capabilities == g->capabilities &&
             again->collation == g->collation && again->statusFlags == g->statusFlags &&
             again->authPlugin == g->authPlugin);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  checkGreeting(std::string_view(reinterpret_cast<const char*>(data), size));
  FuzzedDataProvider fdp(data, size);
  std::string scramble = fdp.ConsumeRandomLengthString(32);
  std::string password = fdp.ConsumeRandomLengthString(64);
  std::string response = fdp.ConsumeRemainingBytesAsString();
  checkPasswords(scramble, password, response);
  checkFullAuth(scramble, response);
  return 0;
}
