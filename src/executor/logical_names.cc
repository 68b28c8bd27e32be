#include "executor/logical_names.h"

namespace shardproxy::executor {

namespace {

bool identifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string logicalText(std::string_view message, const config::LogicalDatabase& db,
                        const router::ShardingRule* rule) {
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  while (i < message.size()) {
    if (!identifierChar(message[i])) {
      out += message[i++];
      continue;
    }
    size_t end = i;
    while (end < message.size() && identifierChar(message[end])) ++end;
    std::string_view word = message.substr(i, end - i);
    i = end;
    bool replaced = false;
    for (const config::DataSource& ds : db.dataSources) {
      if (!ds.database.empty() && word == ds.database) {
        out += db.name;
        replaced = true;
        break;
      }
    }
    if (!replaced && rule != nullptr && rule->findTableRule(word) == nullptr) {
      if (const router::TableRule* t = rule->findByActualTable(word)) {
        out += t->logicTable;
        replaced = true;
      }
    }
    // An index or constraint name on an actual table carries its name as a suffix
    // (idx_user_t_order_0): the logical table's index is idx_user.
    for (size_t at = word.find('_'); !replaced && rule != nullptr && at != std::string_view::npos;
         at = word.find('_', at + 1)) {
      std::string_view actual = word.substr(at + 1);
      if (at > 0 && rule->findTableRule(actual) == nullptr && rule->findByActualTable(actual)) {
        out += word.substr(0, at);
        replaced = true;
      }
    }
    if (!replaced) out += word;
  }
  return out;
}

Status logicalError(const Status& backend, const config::LogicalDatabase& db,
                    const router::ShardingRule* rule) {
  if (backend.isOk()) return backend;
  return Status(backend.code(), backend.sqlState(), logicalText(backend.message(), db, rule));
}

}  // namespace shardproxy::executor
