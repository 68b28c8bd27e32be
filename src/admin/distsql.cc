#include "admin/distsql.h"

#include <strings.h>

#include <cctype>
#include <cstdint>
#include <utility>
#include <vector>

#include "parser/normalizer.h"

namespace shardproxy::admin {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string_view> previewTarget(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  constexpr std::string_view kKeyword = "PREVIEW";
  if (sql.size() - i <= kKeyword.size() || !iequals(sql.substr(i, kKeyword.size()), kKeyword) ||
      !std::isspace(static_cast<unsigned char>(sql[i + kKeyword.size()]))) {
    return std::nullopt;
  }
  return sql.substr(i + kKeyword.size() + 1);
}

std::optional<DistVariableStatement> distVariable(std::string_view sql) {
  // Every statement comes through here: only SET and SHOW are tokenized.
  size_t start = 0;
  while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start]))) ++start;
  std::string_view head = sql.substr(start, 4);
  if (!iequals(head.substr(0, 3), "SET") && !iequals(head, "SHOW")) return std::nullopt;
  std::vector<std::pair<uint32_t, uint32_t>> bounds;
  if (!parser::tokenBounds(sql, bounds)) return std::nullopt;
  std::vector<std::string_view> t;
  for (const auto& [b, e] : bounds) t.push_back(sql.substr(b, e - b));
  if (!t.empty() && t.back() == ";") t.pop_back();
  auto word = [&](size_t i, std::string_view w) { return i < t.size() && iequals(t[i], w); };
  auto unquote = [](std::string_view v) {
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"' || v.front() == '`') &&
        v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    return std::string(v);
  };
  auto lower = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  DistVariableStatement out;
  size_t i = 0;
  if (word(0, "SET")) {
    out.set = true;
  } else if (!word(0, "SHOW")) {
    return std::nullopt;
  }
  i = 1;
  if (word(i, "DIST")) {
    out.dist = true;
    ++i;
  }
  if (!out.set && out.dist && word(i, "VARIABLES") && i + 1 == t.size()) return out;
  if (!word(i, "VARIABLE")) return std::nullopt;
  ++i;
  if (out.set) {
    if (i + 3 != t.size() || t[i + 1] != "=") return std::nullopt;
    out.name = lower(unquote(t[i]));
    out.value = unquote(t[i + 2]);
    return out;
  }
  if (out.dist && word(i, "WHERE") && word(i + 1, "NAME") && i + 4 == t.size() && t[i + 2] == "=") {
    out.name = lower(unquote(t[i + 3]));
    return out;
  }
  if (i + 1 != t.size()) return std::nullopt;
  out.name = lower(unquote(t[i]));
  return out;
}

}  // namespace shardproxy::admin
