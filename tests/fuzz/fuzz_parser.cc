// Fuzz target for the SQL front end: normalizer, ANTLR parser, AST builder and statement cache.
// Any bytes must parse or be refused without a crash, and a statement served by the cache must
// equal a fresh parse (same checks as tests/parser/mutation_test.cc).
//
// Input: up to kMaxStatements statements separated by NUL bytes, all served by one fresh cache,
// so one input can prime a template with some literals and then bind others into it; each
// statement is then looked up a second time, which is a hit whenever it was cacheable. The
// cache is per input, so a crash replays from the input alone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "parser/ast.h"
#include "parser/normalizer.h"
#include "parser/statement_cache.h"

namespace {

// Keeps each run fast: ANTLR's full-LL fallback can be slow on long hostile input.
constexpr size_t kMaxInput = 4096;
constexpr size_t kMaxStatements = 4;

using namespace shardproxy::parser;

void checkAgainstFreshParse(StatementCache& cache, std::string_view sql) {
  auto fresh = ast::parseAst(sql);
  auto cached = cache.get(sql);
  FUZZ_CHECK(fresh.isOk() == cached.isOk());
  if (fresh.isOk()) {
    FUZZ_CHECK(ast::describe(*fresh) == ast::describe(*cached));
  } else {
    FUZZ_CHECK(fresh.status().code() == cached.status().code());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> statements;
  while (statements.size() + 1 < kMaxStatements) {
    size_t nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    statements.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  statements.push_back(input);

  StatementCache cache(kMaxStatements);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::string_view sql : statements) {
      if (pass == 0) {
        Normalized n;
        normalize(sql, n);  // must not crash; fuzz_normalizer checks its output
      }
      checkAgainstFreshParse(cache, sql);
    }
  }
  return 0;
}
