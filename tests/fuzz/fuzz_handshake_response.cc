// Fuzz target for decodeHandshakeResponse (HandshakeResponse41 and SSLRequest), the first bytes
// an unauthenticated client controls. A decoded response must re-encode to bytes that decode to
// the same response.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace {

using namespace shardproxy::protocol;

bool sameResponse(const HandshakeResponse& a, const HandshakeResponse& b) {
  return a.capabilities == b.capabilities && a.maxPacketSize == b.maxPacketSize &&
         a.collation == b.collation && a.user == b.user && a.authResponse == b.authResponse &&
         a.database == b.database && a.authPlugin == b.authPlugin && a.attributes == b.attributes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto decoded = decodeHandshakeResponse(payload);
  if (!decoded) return 0;
  const HandshakeResponse& r = decoded->response;
  FUZZ_CHECK(r.capabilities & cap::kProtocol41);
  if (decoded->sslRequest) {
    FUZZ_CHECK(size == 32 && (r.capabilities & cap::kSsl) && r.user.empty());
    return 0;
  }
  FUZZ_CHECK(r.user.find('\0') == std::string::npos);
  // A NUL-terminated auth response (neither length capability) cannot carry a NUL byte; the
  // decoder already stopped at the first one, so the round trip holds for every form.
  std::string encoded = encodeHandshakeResponse(r);
  auto again = decodeHandshakeResponse(encoded);
  FUZZ_CHECK(again && !again->sslRequest);
  FUZZ_CHECK(sameResponse(r, again->response));
  // Encoding is canonical: a second round gives the same bytes.
  FUZZ_CHECK(encodeHandshakeResponse(again->response) == encoded);
  return 0;
}
