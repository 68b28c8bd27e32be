// !SHARDING, !BROADCAST and !SINGLE bodies -> config/rules.h, with file:line:key messages.
// Only the shape is checked here (keys, types, names that must exist in the same rule); what the
// rules mean (algorithm types and props, data nodes, binding layouts) is checked by router/ when
// it builds them, before the proxy starts.
#include "config/rules_loader.h"

#include <set>

namespace shardproxy::config::yaml {
namespace {

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = trim(text.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

class ShardingParser {
 public:
  ShardingParser(const FileReader& f, ShardingRuleConfig& out) : f_(f), out_(out) {}

  void parse(const YAML::Node& body, const std::string& path) {
    for (const auto& [k, v] : f_.entries(body, body, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "tables") {
        for (const auto& [tk, tv] : f_.entries(v, k, keyPath)) table(tk, tv, join(keyPath, tk.Scalar()));
      } else if (key == "autoTables") {
        for (const auto& [tk, tv] : f_.entries(v, k, keyPath)) {
          autoTable(tk, tv, join(keyPath, tk.Scalar()));
        }
      } else if (key == "bindingTables") {
        bindingTables(k, v, keyPath);
      } else if (key == "broadcastTables") {
        out_.broadcastTables = list(k, v, keyPath);
      } else if (key == "defaultDatabaseStrategy") {
        out_.defaultDatabaseStrategy = strategy(k, v, keyPath);
      } else if (key == "defaultTableStrategy") {
        out_.defaultTableStrategy = strategy(k, v, keyPath);
      } else if (key == "defaultKeyGenerateStrategy") {
        out_.defaultKeyGenerateStrategy = keyGenerate(k, v, keyPath);
      } else if (key == "defaultAuditStrategy") {
        out_.defaultAuditStrategy = audit(k, v, keyPath);
      } else if (key == "defaultShardingColumn") {
        out_.defaultShardingColumn = trim(f_.text(v, k, keyPath));
      } else if (key == "shardingAlgorithms") {
        algorithms(k, v, keyPath, out_.shardingAlgorithms);
      } else if (key == "keyGenerators") {
        algorithms(k, v, keyPath, out_.keyGenerators);
      } else if (key == "auditors") {
        algorithms(k, v, keyPath, out_.auditors);
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    checkReferences();
  }

 private:
  struct Reference {
    std::string name;
    YAML::Node at;
    std::string path;
    const std::map<std::string, AlgorithmConfig>* in;
    const char* what;
  };

  // The keys `tables` and `autoTables` entries share; false when `k` is none of them.
  template <typename Table>
  bool sharedTableKey(Table& t, const YAML::Node& k, const YAML::Node& v,
                      const std::string& keyPath) {
    const std::string& key = k.Scalar();
    if (key == "keyGenerateStrategy") {
      t.keyGenerateStrategy = keyGenerate(k, v, keyPath);
    } else if (key == "auditStrategy") {
      t.auditStrategy = audit(k, v, keyPath);
    } else if (key == "logicTable") {
      // 5.0 repeated the name inside; it must agree.
      if (trim(f_.text(v, k, keyPath)) != t.logicTable) {
        f_.fail(k, keyPath, "differs from the table's key '" + t.logicTable + "'");
      }
    } else {
      return false;
    }
    return true;
  }

  void table(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    TableRuleConfig t;
    t.logicTable = at.Scalar();
    t.line = FileReader::line(at);
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "actualDataNodes") {
        t.actualDataNodes = trim(f_.text(v, k, keyPath));
      } else if (key == "databaseStrategy") {
        t.databaseStrategy = strategy(k, v, keyPath);
      } else if (key == "tableStrategy") {
        t.tableStrategy = strategy(k, v, keyPath);
      } else if (!sharedTableKey(t, k, v, keyPath)) {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    out_.tables.push_back(std::move(t));
  }

  void autoTable(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    AutoTableRuleConfig t;
    t.logicTable = at.Scalar();
    t.line = FileReader::line(at);
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "actualDataSources") {
        t.actualDataSources = trim(f_.text(v, k, keyPath));
      } else if (key == "shardingStrategy") {
        t.shardingStrategy = strategy(k, v, keyPath);
      } else if (!sharedTableKey(t, k, v, keyPath)) {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    if (t.actualDataSources.empty()) f_.fail(at, join(path, "actualDataSources"), "missing");
    if (!t.shardingStrategy) f_.fail(at, join(path, "shardingStrategy"), "missing");
    autoTablesAt_.push_back({at, path});
    out_.autoTables.push_back(std::move(t));
  }

  // `- t_order,t_order_item` or the named form `- ref_0:t_order,t_order_item`.
  void bindingTables(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) f_.fail(at, path, "expected a list such as - t_order,t_order_item");
    size_t i = 0;
    for (YAML::Node item : node) {
      std::string itemPath = indexed(path, i++);
      std::string text = trim(f_.text(item, item, itemPath));
      BindingTableGroupConfig group;
      group.line = FileReader::line(item);
      size_t colon = text.find(':');
      if (colon != std::string::npos) {
        group.name = trim(text.substr(0, colon));
        text = text.substr(colon + 1);
      }
      group.tables = splitList(text);
      if (group.tables.empty()) f_.fail(item, itemPath, "names no tables");
      groupsAt_.push_back({item, itemPath});
      out_.bindingTables.push_back(std::move(group));
    }
  }

  std::vector<std::string> list(const YAML::Node& at, const YAML::Node& node,
                                const std::string& path) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (node.IsScalar()) return splitList(node.Scalar());
    if (!node.IsSequence()) f_.fail(at, path, "expected a list");
    size_t i = 0;
    for (YAML::Node item : node) {
      std::string value = trim(f_.text(item, item, indexed(path, i++)));
      if (!value.empty()) out.push_back(value);
    }
    return out;
  }

  StrategyConfig strategy(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    StrategyConfig s;
    s.line = FileReader::line(at);
    auto entries = f_.entries(node, at, path);
    if (entries.size() != 1) {
      f_.fail(at, path, "expected exactly one of standard, complex, hint or none");
    }
    const auto& [k, v] = entries[0];
    const std::string& type = k.Scalar();
    std::string typePath = join(path, type);
    if (type == "none") {
      s.type = StrategyConfig::Type::None;
      return s;
    }
    if (type == "standard") {
      s.type = StrategyConfig::Type::Standard;
    } else if (type == "complex") {
      s.type = StrategyConfig::Type::Complex;
    } else if (type == "hint") {
      s.type = StrategyConfig::Type::Hint;
    } else {
      f_.fail(k, typePath, "unknown strategy type (expected standard, complex, hint or none)");
    }
    YAML::Node algorithmAt = k;
    for (const auto& [pk, pv] : f_.entries(v, k, typePath)) {
      const std::string& key = pk.Scalar();
      std::string keyPath = join(typePath, key);
      if (key == "shardingColumn" && s.type == StrategyConfig::Type::Standard) {
        std::string column = trim(f_.text(pv, pk, keyPath));
        if (!column.empty()) s.shardingColumns = {column};
      } else if (key == "shardingColumns" && s.type == StrategyConfig::Type::Complex) {
        s.shardingColumns = splitList(f_.text(pv, pk, keyPath));
      } else if (key == "shardingAlgorithmName") {
        s.algorithmName = f_.requiredText(pv, pk, keyPath);
        algorithmAt = pk;
      } else {
        f_.warn(pk, keyPath, "unknown key, ignored");
      }
    }
    if (s.algorithmName.empty()) f_.fail(k, join(typePath, "shardingAlgorithmName"), "missing");
    if (s.type == StrategyConfig::Type::Complex && s.shardingColumns.empty()) {
      f_.fail(k, join(typePath, "shardingColumns"), "missing");
    }
    references_.push_back({s.algorithmName, algorithmAt, join(typePath, "shardingAlgorithmName"),
                           &out_.shardingAlgorithms, "sharding algorithm"});
    return s;
  }

  KeyGenerateStrategyConfig keyGenerate(const YAML::Node& at, const YAML::Node& node,
                                        const std::string& path) {
    KeyGenerateStrategyConfig s;
    s.line = FileReader::line(at);
    YAML::Node nameAt = at;
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "column") {
        s.column = f_.requiredText(v, k, keyPath);
      } else if (key == "keyGeneratorName") {
        s.keyGeneratorName = f_.requiredText(v, k, keyPath);
        nameAt = k;
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    if (s.column.empty()) f_.fail(at, join(path, "column"), "missing");
    if (s.keyGeneratorName.empty()) f_.fail(at, join(path, "keyGeneratorName"), "missing");
    references_.push_back({s.keyGeneratorName, nameAt, join(path, "keyGeneratorName"),
                           &out_.keyGenerators, "key generator"});
    return s;
  }

  AuditStrategyConfig audit(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    AuditStrategyConfig s;
    s.line = FileReader::line(at);
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "auditorNames") {
        s.auditorNames = list(k, v, keyPath);
        for (const std::string& name : s.auditorNames) {
          references_.push_back({name, k, keyPath, &out_.auditors, "auditor"});
        }
      } else if (key == "allowHintDisable") {
        s.allowHintDisable = f_.boolean(v, k, keyPath);
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    return s;
  }

  void algorithms(const YAML::Node& at, const YAML::Node& node, const std::string& path,
                  std::map<std::string, AlgorithmConfig>& out) {
    for (const auto& [nk, nv] : f_.entries(node, at, path)) {
      AlgorithmConfig a;
      a.name = nk.Scalar();
      a.line = FileReader::line(nk);
      std::string namePath = join(path, a.name);
      for (const auto& [k, v] : f_.entries(nv, nk, namePath)) {
        const std::string& key = k.Scalar();
        std::string keyPath = join(namePath, key);
        if (key == "type") {
          a.type = f_.requiredText(v, k, keyPath);
        } else if (key == "props") {
          for (const auto& [pk, pv] : f_.entries(v, k, keyPath)) {
            a.props[pk.Scalar()] = trim(f_.text(pv, pk, join(keyPath, pk.Scalar())));
          }
        } else {
          f_.warn(k, keyPath, "unknown key, ignored");
        }
      }
      if (a.type.empty()) f_.fail(nk, join(namePath, "type"), "missing");
      out[a.name] = std::move(a);
    }
  }

  void checkReferences() {
    for (const Reference& r : references_) {
      if (r.in->count(r.name) == 0) {
        f_.fail(r.at, r.path, "unknown " + std::string(r.what) + " '" + r.name + "'");
      }
    }
    std::set<std::string> tables;
    for (const auto& t : out_.tables) tables.insert(t.logicTable);
    for (size_t i = 0; i < out_.autoTables.size(); ++i) {
      if (!tables.insert(out_.autoTables[i].logicTable).second) {
        f_.fail(autoTablesAt_[i].first, autoTablesAt_[i].second, "also configured under tables");
      }
    }
    for (size_t i = 0; i < out_.bindingTables.size(); ++i) {
      for (const std::string& name : out_.bindingTables[i].tables) {
        if (tables.count(name) == 0) {
          f_.fail(groupsAt_[i].first, groupsAt_[i].second,
                  "binding table '" + name + "' is not a sharded table of this rule");
        }
      }
    }
  }

  const FileReader& f_;
  ShardingRuleConfig& out_;
  std::vector<Reference> references_;
  std::vector<std::pair<YAML::Node, std::string>> groupsAt_;      // per binding group
  std::vector<std::pair<YAML::Node, std::string>> autoTablesAt_;  // per auto table
};

}  // namespace

ShardingRuleConfig parseShardingRule(const FileReader& f, const YAML::Node& body) {
  ShardingRuleConfig out;
  out.file = f.file();
  out.line = FileReader::line(body);
  ShardingParser(f, out).parse(body, "!SHARDING");
  return out;
}

std::vector<std::string> parseBroadcastRule(const FileReader& f, const YAML::Node& body) {
  std::vector<std::string> out;
  for (const auto& [k, v] : f.entries(body, body, "!BROADCAST")) {
    std::string keyPath = join("!BROADCAST", k.Scalar());
    if (k.Scalar() != "tables") {
      f.warn(k, keyPath, "unknown key, ignored");
      continue;
    }
    if (v.IsNull()) continue;
    if (!v.IsSequence()) f.fail(k, keyPath, "expected a list of table names");
    size_t i = 0;
    for (YAML::Node item : v) {
      std::string name = trim(f.text(item, item, indexed(keyPath, i++)));
      if (!name.empty()) out.push_back(name);
    }
  }
  return out;
}

SingleRuleConfig parseSingleRule(const FileReader& f, const YAML::Node& body) {
  SingleRuleConfig out;
  out.line = FileReader::line(body);
  for (const auto& [k, v] : f.entries(body, body, "!SINGLE")) {
    const std::string& key = k.Scalar();
    std::string keyPath = join("!SINGLE", key);
    if (key == "defaultDataSource") {
      out.defaultDataSource = trim(f.text(v, k, keyPath));
    } else if (key == "tables") {
      if (v.IsNull()) continue;
      if (!v.IsSequence()) f.fail(k, keyPath, "expected a list such as - \"*.*\"");
      size_t i = 0;
      for (YAML::Node item : v) {
        std::string itemPath = indexed(keyPath, i++);
        std::string pattern = trim(f.text(item, item, itemPath));
        // ds.table, ds.*, *.table, *.*; 5.4 also allows ds.schema.table for schema databases,
        // which MySQL has not.
        size_t dot = pattern.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == pattern.size() ||
            pattern.find('.', dot + 1) != std::string::npos) {
          f.fail(item, itemPath,
                 "expected data_source.table, with * for any (e.g. \"*.*\", ds_0.t_user, "
                 "ds_1.*), got '" + pattern + "'");
        }
        out.tables.push_back(pattern);
      }
    } else {
      f.warn(k, keyPath, "unknown key, ignored");
    }
  }
  return out;
}

}  // namespace shardproxy::config::yaml
