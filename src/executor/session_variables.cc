#include "executor/session_variables.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/sql_text.h"
#include "config/topology.h"
#include "protocol/charset.h"

namespace shardproxy::executor {

namespace {

// Values backend connections start with (they connect with utf8mb4); anything else not set
// by the session goes back to the server default.
std::string connectTimeValue(const std::string& name) {
  if (name == "character_set_client" || name == "character_set_connection" ||
      name == "character_set_results") {
    return "'utf8mb4'";
  }
  if (name == "collation_connection") return "'utf8mb4_general_ci'";
  return "DEFAULT";
}

bool isNumber(const std::string& v) {
  if (v.empty()) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  bool dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.' && !dot) {
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(v[i]))) {
      return false;
    }
  }
  return true;
}

bool isIdentifier(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

constexpr int64_t kYear = 31536000;  // MySQL's largest timeout
constexpr ProxyVariable kProxyVariables[] = {
    {"interactive_timeout", 1, kYear}, {"max_execution_time", 0, 4294967295},
    {"net_read_timeout", 1, kYear},    {"net_write_timeout", 1, kYear},
    {"wait_timeout", 1, kYear},
};

}  // namespace

const ProxyVariable* proxyVariable(std::string_view name) {
  for (const ProxyVariable& v : kProxyVariables) {
    if (v.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), v.name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return &v;
    }
  }
  return nullptr;
}

int64_t proxyGlobalValue(const config::Props& props, std::string_view name) {
  if (name == "wait_timeout") return props.proxyFrontendWaitTimeoutSeconds;
  if (name == "interactive_timeout") return props.proxyFrontendInteractiveTimeoutSeconds;
  if (name == "net_read_timeout") return props.proxyFrontendNetReadTimeoutSeconds;
  if (name == "net_write_timeout") return props.proxyFrontendNetWriteTimeoutSeconds;
  return 0;
}

void SessionVariables::setProxyDefaults(std::map<std::string, int64_t, std::less<>> defaults) {
  proxyDefaults_ = std::move(defaults);
  proxyValues = proxyDefaults_;
}

int64_t SessionVariables::proxyValue(std::string_view name) const {
  auto it = proxyValues.find(name);
  return it == proxyValues.end() ? 0 : it->second;
}

void SessionVariables::set(const std::string& name, std::string value) {
  values[name] = std::move(value);
  if (name == "sql_mode") sqlModeChanged();
}

std::string SessionVariables::value(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

void SessionVariables::reset(std::map<std::string, std::string> initial) {
  values = std::move(initial);
  proxyValues = proxyDefaults_;
  sqlModeChanged();
}

void SessionVariables::sqlModeChanged() {
  auto it = values.find("sql_mode");
  lexMode_ = it == values.end() ? parser::LexMode{} : parser::LexMode::ofSqlMode(it->second);
}

std::string SessionVariables::syncStatement(const std::map<std::string, std::string>& applied,
                                            bool noBackslashEscapes) const {
  std::vector<std::pair<std::string, std::string>> assignments;
  for (const auto& [name, value] : values) {
    auto it = applied.find(name);
    if (it != applied.end() && it->second == value) continue;
    if (!isIdentifier(name)) continue;
    std::string literal;
    if (value.empty() && name == "character_set_results") {
      literal = "NULL";  // the server reports NULL as an empty value
    } else if (isNumber(value)) {
      literal = value;
    } else {
      literal = quoteString(value, noBackslashEscapes);
    }
    assignments.emplace_back(name, literal);
  }
  for (const auto& [name, value] : applied) {
    if (values.count(name) || !isIdentifier(name)) continue;
    assignments.emplace_back(name, connectTimeValue(name));
  }
  if (assignments.empty()) return {};
  // A character set assignment resets the matching collation, so collations go last.
  std::stable_partition(assignments.begin(), assignments.end(),
                        [](const auto& a) { return a.first.rfind("collation", 0) != 0; });
  std::string sql = "SET ";
  for (size_t i = 0; i < assignments.size(); ++i) {
    if (i) sql += ", ";
    sql += "SESSION " + assignments[i].first + " = " + assignments[i].second;
  }
  return sql;
}

std::map<std::string, std::string> charsetVariables(uint16_t collationId) {
  std::map<std::string, std::string> vars;
  auto c = protocol::collationById(collationId);
  if (!c || c->name == "utf8mb4_general_ci") return vars;
  std::string cs(c->charset);
  vars["character_set_client"] = cs;
  vars["character_set_connection"] = cs;
  vars["character_set_results"] = cs;
  vars["collation_connection"] = std::string(c->name);
  return vars;
}

}  // namespace shardproxy::executor
