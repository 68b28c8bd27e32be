// Fuzz target for the statement normalizer: any bytes must tokenize or be refused without a
// crash, literal offsets must lie inside the text in order, and normalizing is deterministic.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "parser/normalizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shardproxy::parser;
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  Normalized a;
  if (!normalize(sql, a)) return 0;
  size_t previousEnd = 0;
  for (const auto& l : a.literals) {
    FUZZ_CHECK(l.begin < l.end && l.end <= size);
    FUZZ_CHECK(l.begin >= previousEnd);
    previousEnd = l.end;
  }
  Normalized b;
  FUZZ_CHECK(normalize(sql, b));
  FUZZ_CHECK(a.key == b.key && a.literals.size() == b.literals.size() &&
             a.parameterMarkers == b.parameterMarkers);
  return 0;
}
