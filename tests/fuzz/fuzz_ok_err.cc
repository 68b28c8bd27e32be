// Fuzz target for the generic response decoders: OK, ERR and EOF. Whatever decodes must
// re-encode: ERR and EOF to the very same bytes (their layout has no choices), OK to bytes that
// decode to the same packet (a peer may send non-minimal length-encoded integers).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/ok_err.h"

namespace {

using namespace shardproxy::protocol;

bool sameOk(const OkPacket& a, const OkPacket& b) {
  return a.affectedRows == b.affectedRows && a.lastInsertId == b.lastInsertId &&
         a.statusFlags == b.statusFlags && a.warnings == b.warnings && a.info == b.info;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto ok = decodeOk(payload);
  auto err = decodeErr(payload);
  auto eof = decodeEof(payload);
  // The header byte tells the three apart, except OK-with-0xfe and EOF, which differ by size.
  FUZZ_CHECK(!(ok && err) && !(err && eof) && !(ok && eof));
  if (ok) {
    std::string out;
    encodeOk(out, *ok, data[0] == 0xfe);
    FUZZ_CHECK(out[0] == payload[0]);
    auto again = decodeOk(out);
    FUZZ_CHECK(again && sameOk(*ok, *again));
  }
  if (err) {
    FUZZ_CHECK(err->sqlState.size() == 5);
    std::string out;
    encodeErr(out, *err);
    if (err->message.size() <= kMaxErrorMessageBytes) {
      FUZZ_CHECK(out == payload);
    } else {
      // A longer message is cut to MySQL's bound, at a character boundary.
      auto again = decodeErr(out);
      FUZZ_CHECK(again && again->code == err->code && again->sqlState == err->sqlState);
      FUZZ_CHECK(again->message.size() <= kMaxErrorMessageBytes);
      FUZZ_CHECK(err->message.compare(0, again->message.size(), again->message) == 0);
    }
  }
  if (eof) {
    std::string out;
    encodeEof(out, *eof);
    FUZZ_CHECK(out == payload);
  }
  return 0;
}
