#include "router/hint.h"

#include <cctype>

#include "router/sharding_rule.h"

namespace shardproxy::router {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Value hintValue(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front()) {
    return Value::ofString(std::string(text.substr(1, text.size() - 2)));
  }
  if (auto number = Value::ofNumberText(text)) return *number;
  return Value::ofString(std::string(text));
}

bool isTrue(std::string_view v) { return lowerAscii(v) == "true"; }

}  // namespace

bool Hint::empty() const {
  return dataSourceName.empty() && !writeRouteOnly && !skipSqlRewrite &&
         disableAuditNames.empty() && databaseValues.empty() && tableValues.empty();
}

const std::vector<Value>* Hint::databaseValuesFor(const std::string& table) const {
  auto it = databaseValues.find(table);
  if (it == databaseValues.end()) it = databaseValues.find("");
  return it == databaseValues.end() ? nullptr : &it->second;
}

const std::vector<Value>* Hint::tableValuesFor(const std::string& table) const {
  auto it = tableValues.find(table);
  if (it == tableValues.end()) it = tableValues.find("");
  return it == tableValues.end() ? nullptr : &it->second;
}

Result<Hint> parseHint(std::string_view text) {
  Hint hint;
  std::vector<std::string>* continuing = nullptr;  // DISABLE_AUDIT_NAMES=a,b
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (continuing) continuing->push_back(std::string(item));
      continue;
    }
    continuing = nullptr;
    std::string key = lowerAscii(trim(item.substr(0, eq)));
    std::string_view value = trim(item.substr(eq + 1));
    std::string table;
    if (size_t dot = key.rfind('.'); dot != std::string::npos) {
      table = key.substr(0, dot);
      key = key.substr(dot + 1);
    }
    if (key == "sharding_database_value") {
      hint.databaseValues[table].push_back(hintValue(value));
    } else if (key == "sharding_table_value") {
      hint.tableValues[table].push_back(hintValue(value));
    } else if (key == "data_source_name") {
      hint.dataSourceName = std::string(value);
    } else if (key == "write_route_only") {
      hint.writeRouteOnly = isTrue(value);
    } else if (key == "skip_sql_rewrite") {
      hint.skipSqlRewrite = isTrue(value);
    } else if (key == "disable_audit_names") {
      hint.disableAuditNames.push_back(std::string(value));
      continuing = &hint.disableAuditNames;
    }
  }
  return hint;
}

}  // namespace shardproxy::router
