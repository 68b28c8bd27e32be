// Fuzz target for the server side of the connection phase: arbitrary client packets fed to
// ServerHandshake, checking that every step is well formed and that a login needs an account.
//
// Input layout (FuzzedDataProvider): one byte of transport flags (bit 0 Unix socket, bit 1 an
// RSA key, bit 2 TLS offered, bit 3 TLS required), then the client's packets as random-length
// strings, each fed after a kRead or kStartTls step.
// The scramble is fixed so that seeds can carry valid tokens (tests/fuzz/make_corpus.py).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fuzz_check.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/ok_err.h"
#include "protocol/server_handshake.h"

namespace {

using namespace shardproxy::protocol;
using Action = ServerHandshake::Action;
namespace er = shardproxy::er;

const std::string kScramble(
    "\x3d\x5a\x7c\x1f\x2b\x6e\x0a\x4c\x55\x71\x6f\x4d\x3a\x1e\x7b\x2c\x5f\x66\x7e\x30", 20);
constexpr uint32_t kServerCaps = cap::kLongPassword | cap::kConnectWithDb | cap::kProtocol41 |
                                 cap::kSecureConnection | cap::kPluginAuth | cap::kConnectAttrs |
                                 cap::kPluginAuthLenencData | cap::kDeprecateEof;

const RsaKey& rsaKey() {
  // Small, to keep each decryption cheap; generated once per process.
  static const std::unique_ptr<RsaKey> key = RsaKey::generate(1024);
  FUZZ_CHECK(key != nullptr);
  return *key;
}

class Accounts final : public CredentialStore {
 public:
  std::optional<Credentials> find(std::string_view user, std::string_view host) override {
    if (user == "root") return Credentials{"secret", ""};
    if (user == "app") return Credentials{"secret", kNativePasswordPlugin};
    if (user == "sha2") return Credentials{"secret", kCachingSha2Plugin};
    if (user == "empty") return Credentials{"", ""};
    return std::nullopt;
  }
};

void checkFailed(const ServerHandshake& m, const ServerHandshake::Step& step) {
  FUZZ_CHECK(step.packets.size() == 1);
  auto err = decodeErr(step.packets[0]);
  // (The message as sent is cut to MySQL's bound.)
  FUZZ_CHECK(err && err->code == m.error().code() &&
             err->message.size() <= kMaxErrorMessageBytes &&
             m.error().message().compare(0, err->message.size(), err->message) == 0);
  FUZZ_CHECK(err->code == er::kHandshake || err->code == er::kAccessDenied ||
             err->code == er::kSecureTransportRequired);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  // From the front, where the seeds put it (ConsumeIntegral would take the last byte).
  std::vector<uint8_t> first = fdp.ConsumeBytes<uint8_t>(1);
  uint8_t flags = first.empty() ? 0 : first[0];
  Accounts accounts;
  const uint32_t serverCaps = kServerCaps | ((flags & 4) ? cap::kSsl : 0u);
  ServerHandshake m(
      {"5.7.99-shardproxy", 7, serverCaps, kScramble, (flags & 2) ? &rsaKey() : nullptr,
       (flags & 1) != 0, "192.0.2.1", (flags & 8) != 0},
      accounts);
  ServerHandshake::Step step = m.start();
  FUZZ_CHECK(step.action == Action::kRead && step.packets.size() == 1);
  // SSL request, response, switch, full auth, cipher: never more reads than that.
  int reads = 0;
  bool startedTls = false;
  auto reading = [&step] {
    return step.action == Action::kRead || step.action == Action::kStartTls;
  };
  while (reading() && fdp.remaining_bytes() > 0) {
    FUZZ_CHECK(++reads <= 5);
    std::string packet = fdp.ConsumeRandomLengthString(1 << 16);
    step = m.onPacket(packet);
    if (step.action == Action::kRead) FUZZ_CHECK(step.packets.size() == 1);
    if (step.action == Action::kStartTls) {
      // Once, when offered, and first.
      FUZZ_CHECK((flags & 4) && !startedTls && reads == 1 && step.packets.empty());
      startedTls = true;
    }
  }
  FUZZ_CHECK(m.tls() == startedTls);
  if (step.action == Action::kFailed) checkFailed(m, step);
  if (step.action == Action::kDone) {
    const HandshakeResult& r = m.result();
    FUZZ_CHECK(accounts.find(r.user, r.host).has_value());
    FUZZ_CHECK((r.capabilities & ~serverCaps) == 0);
    FUZZ_CHECK(r.host == ((flags & 1) ? "localhost" : "192.0.2.1"));
    FUZZ_CHECK(step.packets.size() <= 1);
    // Required TLS lets nobody in over plain TCP.
    FUZZ_CHECK(!(flags & 8) || startedTls || (flags & 1));
  }
  if (!reading()) {
    // Finished: anything more is refused.
    ServerHandshake::Step extra =
        m.onPacket(std::string_view(reinterpret_cast<const char*>(data), size));
    FUZZ_CHECK(extra.action == Action::kFailed);
    checkFailed(m, extra);
  }
  return 0;
}
