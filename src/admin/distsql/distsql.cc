// The fast path in front of the DistSQL grammar, and the views admin uses.
#include "admin/distsql.h"

#include <strings.h>

#include "admin/distsql/grammar.h"

namespace shardproxy::admin {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// As the grammar's IDENTIFIER: ASCII letters, digits, `_`, `$` and any non-ASCII byte.
bool isWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

// The word at `pos` after whitespace and comments (skipped as grammar/distsql/DistSqlLexer.g4
// skips them), `pos` moved past it; empty when what comes next is not a word.
std::string_view nextWord(std::string_view sql, size_t& pos) {
  while (pos < sql.size()) {
    char c = sql[pos];
    if (isSpace(c)) {
      ++pos;
    } else if (c == '/' && sql.substr(pos, 2) == "/*") {
      size_t close = sql.find("*/", pos + 2);
      if (close == std::string_view::npos) return {};
      pos = close + 2;
    } else if (c == '#' || (c == '-' && sql.substr(pos, 2) == "--" &&
                            (pos + 2 == sql.size() || isSpace(sql[pos + 2])))) {
      size_t eol = sql.find_first_of("\r\n", pos);
      pos = eol == std::string_view::npos ? sql.size() : eol;
    } else {
      break;
    }
  }
  size_t begin = pos;
  while (pos < sql.size() && isWordByte(sql[pos])) ++pos;
  return sql.substr(begin, pos - begin);
}

bool oneOf(std::string_view word, std::initializer_list<std::string_view> keywords) {
  for (std::string_view k : keywords) {
    if (iequals(word, k)) return true;
  }
  return false;
}

}  // namespace

bool mayBeDistSql(std::string_view sql) {
  size_t pos = 0;
  std::string_view first = nextWord(sql, pos);
  if (iequals(first, "PREVIEW")) return true;
  bool show = iequals(first, "SHOW");
  if (!show && !iequals(first, "SET")) return false;
  std::string_view second = nextWord(sql, pos);
  // The second keywords of the grammar's SET and SHOW statements (DistSqlParser.g4); a statement
  // added there with a new one must add it here. None of them follows SET or SHOW in MySQL
  // except STORAGE (SHOW STORAGE ENGINES), which the grammar then refuses.
  if (show) {
    return oneOf(second, {"DIST", "VARIABLE", "STORAGE", "SHARDING", "BROADCAST", "SINGLE",
                          "COMPUTE", "DEFAULT"});
  }
  return oneOf(second, {"DIST", "VARIABLE"});
}

std::optional<DistSqlStatement> parseDistSql(std::string_view sql, DistSqlParseStats* stats) {
  if (!mayBeDistSql(sql)) return std::nullopt;
  if (stats != nullptr) ++stats->grammarRuns;
  return distsql::parseWithGrammar(sql);
}

std::optional<std::string_view> previewTarget(std::string_view sql) {
  std::optional<DistSqlStatement> statement = parseDistSql(sql);
  if (!statement) return std::nullopt;
  const auto* preview = std::get_if<distsql::Preview>(&*statement);
  if (preview == nullptr) return std::nullopt;
  return sql.substr(preview->offset);
}

std::optional<DistVariableStatement> distVariable(const DistSqlStatement& statement) {
  if (const auto* set = std::get_if<distsql::SetDistVariable>(&statement)) {
    return DistVariableStatement{true, set->dist, set->name, set->value};
  }
  if (const auto* show = std::get_if<distsql::ShowDistVariable>(&statement)) {
    if (show->like) return std::nullopt;
    return DistVariableStatement{false, show->dist, show->name, {}};
  }
  return std::nullopt;
}

std::optional<DistVariableStatement> distVariable(std::string_view sql) {
  std::optional<DistSqlStatement> statement = parseDistSql(sql);
  if (!statement) return std::nullopt;
  return distVariable(*statement);
}

}  // namespace shardproxy::admin
