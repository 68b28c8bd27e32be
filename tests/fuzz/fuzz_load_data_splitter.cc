// Fuzz target for the LOAD DATA splitter (executor/load_data_splitter.h), which cuts a client's
// file into rows: the first bytes choose the FIELDS / LINES options and the column count, the
// rest is the file. Whatever it holds, the rows must be the same however the file is cut into
// packets, no row has more fields than columns, and nothing is left buffered at the end.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "executor/load_data_splitter.h"
#include "fuzz_check.h"

namespace {

using namespace shardproxy::executor;

struct Taken {
  std::vector<std::vector<std::pair<bool, std::string>>> rows;
  std::vector<bool> cut;
};

Taken split(const LoadDataFormat& format, size_t columns, uint64_t ignore, std::string_view data,
            size_t step) {
  LoadDataSplitter splitter(format, columns, ignore);
  Taken out;
  LoadDataRow row;
  auto take = [&] {
    LoadDataSplitter::Next n;
    while ((n = splitter.next(row)) == LoadDataSplitter::Next::kRow) {
      FUZZ_CHECK(!row.fields.empty() && row.fields.size() <= columns);
      auto& r = out.rows.emplace_back();
      for (const LoadDataField& f : row.fields) r.emplace_back(f.null, f.text);
      out.cut.push_back(row.cut);
    }
    return n;
  };
  for (size_t at = 0; at < data.size(); at += step) {
    splitter.feed(data.substr(at, step));
    FUZZ_CHECK(take() == LoadDataSplitter::Next::kNeedMore);
  }
  splitter.finish();
  FUZZ_CHECK(take() == LoadDataSplitter::Next::kEnd);
  FUZZ_CHECK(splitter.buffered() == 0);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  static const char* const kTerminators[] = {",", "\t", "\n", "\r\n", "||", "", "ab", ";"};
  static const char* const kOne[] = {"", "\"", "\\", "'", "#"};
  LoadDataFormat format;
  format.fieldsTerminatedBy = kTerminators[data[0] & 7];
  format.linesTerminatedBy = kTerminators[(data[0] >> 3) & 7];
  format.enclosedBy = kOne[data[1] % 5];
  format.escapedBy = kOne[(data[1] / 5) % 5];
  format.linesStartingBy = (data[1] & 0x80) ? ">>" : "";
  size_t columns = 1 + (data[2] & 7);
  uint64_t ignore = (data[2] >> 3) & 3;
  if (!LoadDataSplitter::check(format).isOk()) return 0;
  std::string_view file(reinterpret_cast<const char*>(data) + 3, size - 3);
  Taken whole = split(format, columns, ignore, file, file.size() + 1);
  Taken bytes = split(format, columns, ignore, file, 1);
  Taken sevens = split(format, columns, ignore, file, 7);
  FUZZ_CHECK(whole.rows == bytes.rows && whole.cut == bytes.cut);
  FUZZ_CHECK(whole.rows == sevens.rows && whole.cut == sevens.cut);
  return 0;
}
