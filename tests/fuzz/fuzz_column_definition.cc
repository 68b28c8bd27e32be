// Fuzz target for result set decoding: decodeColumnDefinition in both modes (plain and
// COM_FIELD_LIST), and decodeTextRow with the column count taken from the first byte. Whatever
// decodes must re-encode to bytes that decode to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/column_definition.h"

namespace {

using namespace shardproxy::protocol;

bool sameColumn(const ColumnDefinition& a, const ColumnDefinition& b) {
  return a.catalog == b.catalog && a.schema == b.schema && a.table == b.table &&
         a.orgTable == b.orgTable && a.name == b.name && a.orgName == b.orgName &&
         a.collation == b.collation && a.length == b.length && a.type == b.type &&
         a.flags == b.flags && a.decimals == b.decimals && a.defaultValue == b.defaultValue;
}

void checkColumn(std::string_view payload, bool fieldList) {
  auto c = decodeColumnDefinition(payload, fieldList);
  if (!c) return;
  FUZZ_CHECK(fieldList || !c->defaultValue);
  std::string out;
  encodeColumnDefinition(out, *c);
  auto again = decodeColumnDefinition(out, fieldList);
  FUZZ_CHECK(again && sameColumn(*c, *again));
}

void checkRow(std::string_view payload, size_t columns) {
  auto row = decodeTextRow(payload, columns);
  if (!row) return;
  FUZZ_CHECK(row->size() == columns);
  std::string out;
  encodeTextRow(out, *row);
  FUZZ_CHECK(out.size() <= payload.size());  // only non-minimal lengths can be shortened
  auto again = decodeTextRow(out, columns);
  FUZZ_CHECK(again && *again == *row);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  checkColumn(payload, false);
  checkColumn(payload, true);
  if (size > 0) checkRow(payload.substr(1), data[0]);
  return 0;
}
