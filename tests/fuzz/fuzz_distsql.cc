// Fuzz target for the DistSQL front end (admin/distsql.h): the first-keyword fast path, the
// DistSQL grammar and the transform into DistSqlStatement. Any bytes must parse or be refused
// without a crash, and the fast path must never refuse what the grammar takes.
//
// Input: one statement's text.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "admin/distsql.h"
#include "admin/distsql/grammar.h"
#include "fuzz_check.h"

namespace {

// Keeps each run fast.
constexpr size_t kMaxInput = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  using namespace shardproxy::admin;
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  DistSqlParseStats stats;
  std::optional<DistSqlStatement> parsed = parseDistSql(sql, &stats);
  // The grammar alone: what it takes, the fast path lets through.
  std::optional<DistSqlStatement> grammar = distsql::parseWithGrammar(sql);
  FUZZ_CHECK(parsed.has_value() == grammar.has_value());
  FUZZ_CHECK(stats.grammarRuns == (mayBeDistSql(sql) ? 1u : 0u));
  if (!parsed) return 0;
  if (const auto* preview = std::get_if<distsql::Preview>(&*parsed)) {
    FUZZ_CHECK(preview->offset <= sql.size());
    FUZZ_CHECK(previewTarget(sql) == sql.substr(preview->offset));
  } else {
    FUZZ_CHECK(!previewTarget(sql).has_value());
  }
  FUZZ_CHECK(distVariable(sql).has_value() == distVariable(*parsed).has_value());
  return 0;
}
