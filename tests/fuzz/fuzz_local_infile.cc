// Fuzz target for the LOAD DATA LOCAL INFILE request decoder: whatever decodes re-encodes to the
// very same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/local_infile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shardproxy::protocol;
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  if (auto name = decodeLocalInfileRequest(payload)) {
    std::string out;
    encodeLocalInfileRequest(out, *name);
    FUZZ_CHECK(out == payload);
  }
  FUZZ_CHECK(endsLocalInfile(payload) == payload.empty());
  return 0;
}
