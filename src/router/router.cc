// Route engines, after ShardingSphere's: standard (one sharded table, or binding tables routed
// together), Cartesian (sharded tables that are not bound), broadcast, unicast and single
// routes, hint-forced routes; INSERT rows routed one by one.
#include "router/router.h"

#include <algorithm>
#include <set>

#include "router/conditions.h"
#include "router/value_conversion.h"

namespace shardproxy::router {

namespace ast = parser::ast;

const std::string* RouteUnit::actualTable(std::string_view logicTable) const {
  std::string lower = lowerAscii(logicTable);
  for (const TableMapping& m : tables) {
    if (lowerAscii(m.logicTable) == lower) return &m.actualTable;
  }
  return nullptr;
}

namespace {

Status shardingError(uint16_t code, const char* sqlState, std::string message) {
  return Status(code, sqlState, std::move(message));
}

Status unsupported(const std::string& what) {
  return Status(kErNotSupportedYet, "42000", "unsupported: " + what);
}

// A table the statement names, and what the rules make of it.
struct StatementTable {
  enum class Kind { Sharded, Broadcast, Single };
  Kind kind = Kind::Single;
  std::string name;   // as written
  std::string lower;  // lower case
  const TableRule* rule = nullptr;
  std::string dataSource;  // Single
};

// One routed node of a sharded table.
struct Node {
  std::string dataSource;
  std::string table;
  bool operator<(const Node& o) const {
    return dataSource != o.dataSource ? dataSource < o.dataSource : table < o.table;
  }
  bool operator==(const Node& o) const { return dataSource == o.dataSource && table == o.table; }
};

class Routing {
 public:
  Routing(const ShardingRule& rule, const TableLocations& locations,
          const std::string& defaultDataSource, const ast::Statement& s, const RouteOptions& o)
      : rule_(rule), locations_(locations), default_(defaultDataSource), s_(s), options_(o) {}

  Result<RouteResult> run() {
    if (s_.hasHint) {
      auto hint = parseHint(s_.hint);
      if (!hint) return hint.status();
      hint_ = std::move(*hint);
    }
    if (Status st = collectTables(); !st) return st;
    RouteResult result;
    result.skipRewrite = hint_.skipSqlRewrite;
    if (!hint_.dataSourceName.empty()) {
      if (std::find(rule_.dataSourceNames().begin(), rule_.dataSourceNames().end(),
                    hint_.dataSourceName) == rule_.dataSourceNames().end()) {
        return shardingError(er::kSsHintDataSourceUnknown, "44000",
                             "Some routed data sources do not belong to configured data sources. "
                             "routed data sources: `" +
                                 hint_.dataSourceName + "`");
      }
      result.kind = RouteResult::Kind::Forced;
      result.units.push_back(RouteUnit{hint_.dataSourceName, {}, {}});
      return result;
    }
    bool write = s_.kind != ast::StatementKind::Select;
    std::vector<const StatementTable*> sharded, singles;
    bool anyBroadcast = false;
    for (const StatementTable& t : tables_) {
      if (t.kind == StatementTable::Kind::Sharded) sharded.push_back(&t);
      if (t.kind == StatementTable::Kind::Single) singles.push_back(&t);
      if (t.kind == StatementTable::Kind::Broadcast) anyBroadcast = true;
    }
    if (!sharded.empty()) {
      auto units = s_.kind == ast::StatementKind::Insert || s_.kind == ast::StatementKind::Replace
                       ? routeInsert(*sharded.front(), result)
                       : routeSharded(sharded);
      if (!units) return units.status();
      if (units->size() > 1 && shardedOnlyInSubqueries()) {
        return unsupported("a query whose sharded tables are read only in subqueries of its "
                           "expressions, over several shards (each shard would answer the "
                           "outer query on its own rows)");
      }
      result.kind = RouteResult::Kind::Standard;
      result.units = std::move(*units);
      result.mustNotMatch = std::move(mustNotMatch_);
      for (const StatementTable* single : singles) {
        for (const RouteUnit& u : result.units) {
          if (u.dataSource != single->dataSource) {
            return unsupported("statement joins single table '" + single->name + "' on " +
                               single->dataSource + " with sharded tables routed to " +
                               u.dataSource);
          }
        }
      }
      return result;
    }
    if (!singles.empty()) {
      const std::string& ds = singles.front()->dataSource;
      for (const StatementTable* single : singles) {
        if (single->dataSource != ds) {
          return unsupported("statement uses single tables on different data sources ('" +
                             singles.front()->name + "' on " + ds + ", '" + single->name + "' on " +
                             single->dataSource + ")");
        }
      }
      result.kind = RouteResult::Kind::Single;
      result.units.push_back(RouteUnit{ds, {}, {}});
      return result;
    }
    if (anyBroadcast && write) {
      result.kind = RouteResult::Kind::Broadcast;
      for (const std::string& ds : broadcastDataSources())
        result.units.push_back(RouteUnit{ds, {}, {}});
      return result;
    }
    // Reads of broadcast tables, and statements without tables: any one data source.
    result.kind = RouteResult::Kind::Unicast;
    std::string ds = options_.preferredDataSource.empty() ? default_ : options_.preferredDataSource;
    result.units.push_back(RouteUnit{ds, {}, {}});
    return result;
  }

 private:
  // Broadcast tables live on every data source of the database.
  std::vector<std::string> broadcastDataSources() const {
    std::vector<std::string> out;
    for (const std::string& ds : rule_.dataSourceNames()) out.push_back(ds);
    return out;
  }

  Status collectTables() {
    std::set<std::string> ctes;
    for (const ast::Select& q : s_.selects) {
      for (const ast::Cte& c : q.with) ctes.insert(lowerAscii(c.name.value));
    }
    std::set<std::string> seen;
    for (const ast::TableRef& ref : s_.tableRefs) {
      if (ref.kind != ast::TableRef::Kind::Table) continue;
      std::string lower = lowerAscii(ref.name.value);
      // Tables of other schemas (information_schema, mysql ...) are not the rules' business.
      if (!ref.schema.empty() && lowerAscii(ref.schema.value) != lowerAscii(options_.database)) {
        external_ = true;
        continue;
      }
      if (ref.schema.empty() && ctes.count(lower) > 0) continue;
      if (!ref.alias.empty()) aliases_[lowerAscii(ref.alias.value)] = lower;
      aliases_.emplace(lower, lower);
      if (!seen.insert(lower).second) continue;
      StatementTable t;
      t.name = ref.name.value;
      t.lower = lower;
      if (const TableRule* r = rule_.findTableRule(lower)) {
        t.kind = StatementTable::Kind::Sharded;
        t.rule = r;
      } else if (rule_.isBroadcast(lower)) {
        t.kind = StatementTable::Kind::Broadcast;
      } else {
        t.kind = StatementTable::Kind::Single;
        auto it = locations_.find(lower);
        t.dataSource =
            it != locations_.end() && !it->second.empty() ? it->second.front() : default_;
      }
      tables_.push_back(std::move(t));
    }
    return Status::ok();
  }

  const StatementTable* findTable(const std::string& lower) const {
    for (const StatementTable& t : tables_) {
      if (t.lower == lower) return &t;
    }
    return nullptr;
  }

  static bool isShardingColumn(const TableRule& r, const std::string& column) {
    auto has = [&](const ShardingStrategy& st) {
      return std::any_of(st.columns.begin(), st.columns.end(),
                         [&](const std::string& c) { return lowerAscii(c) == column; });
    };
    return has(r.databaseStrategy) || has(r.tableStrategy);
  }

  // Which sharded tables of the statement a column reference is a sharding column of.
  // The type of `column` of logic table `table` (both lower case), when the metadata knows it.
  const metadata::ColumnSchema* columnType(const std::string& table,
                                           const std::string& column) const {
    if (!options_.schema) return nullptr;
    auto it = options_.schema->find(table);
    return it == options_.schema->end() ? nullptr : it->second->column(column);
  }

  ConditionExtractor extractor() const {
    return ConditionExtractor(
        s_, [this](const ast::Expr& c) { return resolveColumn(c); }, options_.parameters,
        [this](const std::string& t, const std::string& c) { return columnType(t, c); },
        options_.normalizeStrings);
  }

  // `v` as column `column` of `table` will hold it once stored; an error when no one value can
  // say where the row goes.
  Result<Value> storedValue(const std::string& table, const std::string& column,
                            const Value& v) const {
    const metadata::ColumnSchema* type = columnType(table, lowerAscii(column));
    if (!type || v.isNull()) return v;
    Converted c = forStorage(v, *type);
    if (c.kind != Converted::Kind::Exact) {
      return unsupported("value " + v.toString() + " for sharding column '" + column +
                         "' (" + type->columnType + "): the value the server stores cannot be "
                         "told from it");
    }
    return options_.normalizeStrings ? normalizedByCollation(c.value, *type) : c.value;
  }

  std::vector<std::string> resolveColumn(const ast::Expr& column) const {
    std::string name = lowerAscii(column.column.value);
    std::vector<std::string> out;
    if (!column.table.empty()) {
      auto it = aliases_.find(lowerAscii(column.table.value));
      if (it == aliases_.end()) return out;
      const StatementTable* t = findTable(it->second);
      if (t && t->rule && isShardingColumn(*t->rule, name)) out.push_back(t->lower);
      return out;
    }
    for (const StatementTable& t : tables_) {
      if (t.rule && isShardingColumn(*t.rule, name)) out.push_back(t.lower);
    }
    return out;
  }

  // A SELECT (without WITH) whose outermost FROM, through joins and derived tables, names no
  // sharded table, while a subquery in an expression does: `SELECT (SELECT COUNT(*) FROM t)`.
  // Run per shard, each shard would answer the whole outer query from its own rows.
  bool shardedOnlyInSubqueries() const {
    if (s_.kind != ast::StatementKind::Select) return false;
    const ast::Select& q = s_.query(s_.select);
    if (q.kind != ast::Select::Kind::Query || !q.with.empty()) return false;
    std::vector<ast::TableRefId> pending(q.from.begin(), q.from.end());
    while (!pending.empty()) {
      const ast::TableRef& ref = s_.tableRef(pending.back());
      pending.pop_back();
      if (ref.kind == ast::TableRef::Kind::Join) {
        pending.push_back(ref.left);
        pending.push_back(ref.right);
      } else if (ref.kind == ast::TableRef::Kind::Other) {
        pending.insert(pending.end(), ref.members.begin(), ref.members.end());
      } else if (ref.kind == ast::TableRef::Kind::Derived) {
        return false;  // rows of a derived table are merged as the outer query says
      } else if (ref.kind == ast::TableRef::Kind::Table) {
        const StatementTable* t = findTable(lowerAscii(ref.name.value));
        if (t && t->kind == StatementTable::Kind::Sharded) return false;
      }
    }
    return true;
  }

  // The WHERE clauses of derived tables in the outermost query's FROM (through joins and
  // nested derived tables). Their sharded tables are read only through them, so these conditions
  // narrow the route as the outer WHERE does. (Subqueries in WHERE may sit under NOT or OR, so
  // theirs are not used.) Only when every sharded table is named once in the statement: a table
  // named twice may be read with different conditions in different places.
  std::vector<ast::ExprId> derivedWheres() const {
    std::vector<ast::ExprId> out;
    if (s_.kind != ast::StatementKind::Select) return out;
    std::map<std::string, int> named;
    for (const ast::TableRef& ref : s_.tableRefs) {
      if (ref.kind == ast::TableRef::Kind::Table) ++named[lowerAscii(ref.name.value)];
    }
    for (const StatementTable& t : tables_) {
      if (t.rule && named[t.lower] > 1) return out;
    }
    const ast::Select& q = s_.query(s_.select);
    if (q.kind != ast::Select::Kind::Query) return out;
    std::vector<ast::TableRefId> pending(q.from.begin(), q.from.end());
    while (!pending.empty()) {
      const ast::TableRef& ref = s_.tableRef(pending.back());
      pending.pop_back();
      if (ref.kind == ast::TableRef::Kind::Join) {
        pending.push_back(ref.left);
        pending.push_back(ref.right);
      } else if (ref.kind == ast::TableRef::Kind::Other) {
        pending.insert(pending.end(), ref.members.begin(), ref.members.end());
      } else if (ref.kind == ast::TableRef::Kind::Derived && ref.subquery != ast::kNone) {
        const ast::Select& sub = s_.query(ref.subquery);
        if (sub.kind != ast::Select::Kind::Query) continue;
        if (sub.where != ast::kNone) out.push_back(sub.where);
        pending.insert(pending.end(), sub.from.begin(), sub.from.end());
      }
    }
    return out;
  }

  ast::ExprId whereOf() const {
    switch (s_.kind) {
      case ast::StatementKind::Select: {
        const ast::Select& q = s_.query(s_.select);
        return q.kind == ast::Select::Kind::Query ? q.where : ast::kNone;
      }
      case ast::StatementKind::Update:
        return s_.update.where;
      case ast::StatementKind::Delete:
        return s_.del.where;
      default:
        return ast::kNone;
    }
  }

  // The targets `strategy` picks among `targets` for one clause; nullopt: all of them (no
  // condition on its columns).
  Result<std::optional<std::vector<std::string>>> shard(const TableRule& rule,
                                                        const ShardingStrategy& strategy,
                                                        const std::vector<std::string>& targets,
                                                        const Clause& clause, bool database) {
    using Type = config::StrategyConfig::Type;
    using Out = std::optional<std::vector<std::string>>;
    if (strategy.type == Type::None || !strategy.algorithm) return Out();
    std::string table = lowerAscii(rule.logicTable);
    const DataNodeInfo& info = database ? rule.dataSourceNodeInfo : rule.tableNodeInfo;
    std::vector<std::string> chosen;
    auto add = [&](const std::string& target) -> Status {
      if (std::find(targets.begin(), targets.end(), target) == targets.end()) {
        std::string available;
        for (const std::string& t : targets) available += (available.empty() ? "" : ", ") + t;
        return shardingError(er::kSsRouteTargetMissing, "HY000",
                             "Routed target `" + target +
                                 "` does not exist, available targets "
                                 "are `[" +
                                 available + "]`.");
      }
      if (std::find(chosen.begin(), chosen.end(), target) == chosen.end()) chosen.push_back(target);
      return Status::ok();
    };
    if (strategy.type == Type::Hint) {
      const std::vector<Value>* values =
          database ? hint_.databaseValuesFor(table) : hint_.tableValuesFor(table);
      if (!values) return Out();
      auto r =
          strategy.algorithm->shardHint(targets, HintShardingValue{rule.logicTable, "", *values});
      if (!r) return r.status();
      for (const std::string& t : *r) {
        if (Status st = add(t); !st) return st;
      }
      return Out(std::move(chosen));
    }
    if (strategy.type == Type::Complex) {
      ComplexShardingValue value{rule.logicTable, {}, {}};
      for (const std::string& column : strategy.columns) {
        auto it = clause.find(ColumnKey{table, lowerAscii(column)});
        if (it == clause.end()) continue;
        if (it->second.hasValues) value.values[column] = it->second.values;
        if (it->second.range) value.ranges[column] = *it->second.range;
      }
      if (value.values.empty() && value.ranges.empty()) return Out();
      auto r = strategy.algorithm->shardComplex(targets, value);
      if (!r) return r.status();
      for (const std::string& t : *r) {
        if (Status st = add(t); !st) return st;
      }
      return Out(std::move(chosen));
    }
    const std::string& column = strategy.columns.front();
    auto it = clause.find(ColumnKey{table, lowerAscii(column)});
    if (it == clause.end()) return Out();
    const ColumnCondition& c = it->second;
    if (c.hasValues) {
      for (const Value& v : c.values) {
        auto r = strategy.algorithm->shardPrecise(
            targets, PreciseShardingValue{rule.logicTable, column, v, info});
        if (!r) return r.status();
        if (Status st = add(*r); !st) return st;
      }
    } else if (c.range) {
      auto r = strategy.algorithm->shardRange(
          targets, RangeShardingValue{rule.logicTable, column, *c.range, info});
      if (!r) return r.status();
      for (const std::string& t : *r) {
        if (Status st = add(t); !st) return st;
      }
    } else {
      return Out();
    }
    return Out(std::move(chosen));
  }

  // The nodes of one sharded table that rows matching `clause` can be on.
  Result<std::vector<Node>> routeTable(const TableRule& rule, const Clause& clause) {
    std::vector<Node> out;
    if (rule.autoTable) {
      // The table strategy picks among all actual tables; each lives on one data source.
      std::vector<std::string> all;
      for (const DataNode& n : rule.dataNodes) all.push_back(n.table);
      auto tables = shard(rule, rule.tableStrategy, all, clause, false);
      if (!tables) return tables.status();
      for (const DataNode& n : rule.dataNodes) {
        if (!*tables ||
            std::find((*tables)->begin(), (*tables)->end(), n.table) != (*tables)->end()) {
          out.push_back(Node{n.dataSource, n.table});
        }
      }
      return out;
    }
    auto dataSources = shard(rule, rule.databaseStrategy, rule.dataSources, clause, true);
    if (!dataSources) return dataSources.status();
    const std::vector<std::string>& routed = *dataSources ? **dataSources : rule.dataSources;
    for (const std::string& ds : routed) {
      const std::vector<std::string>& available = rule.tablesOn(ds);
      auto tables = shard(rule, rule.tableStrategy, available, clause, false);
      if (!tables) return tables.status();
      for (const std::string& t : *tables ? **tables : available) out.push_back(Node{ds, t});
    }
    return out;
  }

  // Nodes for all clauses of the WHERE, in data node order.
  Result<std::vector<Node>> routeTable(const TableRule& rule, const Conditions& conditions) {
    std::set<Node> found;
    for (const Clause& clause : conditions.clauses) {
      bool impossible = std::any_of(clause.begin(), clause.end(),
                                    [](const auto& kv) { return kv.second.alwaysFalse; });
      if (impossible) continue;
      auto nodes = routeTable(rule, clause);
      if (!nodes) return nodes.status();
      found.insert(nodes->begin(), nodes->end());
    }
    std::vector<Node> out;
    for (const DataNode& n : rule.dataNodes) {
      if (found.count(Node{n.dataSource, n.table})) out.push_back(Node{n.dataSource, n.table});
    }
    // Nothing can match: one node still answers (an empty result with the right columns, or
    // 0 rows affected).
    if (out.empty())
      out.push_back(Node{rule.dataNodes.front().dataSource, rule.dataNodes.front().table});
    return out;
  }

  static bool hasCondition(const TableRule& rule, const Conditions& conditions) {
    std::string table = lowerAscii(rule.logicTable);
    for (const Clause& clause : conditions.clauses) {
      for (const auto& [key, c] : clause) {
        if (key.table == table) return true;
      }
    }
    return false;
  }

  Result<std::vector<RouteUnit>> routeSharded(const std::vector<const StatementTable*>& sharded) {
    ConditionExtractor extractor = this->extractor();
    Conditions conditions = extractor.extract(whereOf());
    for (ast::ExprId where : derivedWheres())
      conditions = conjoin(conditions, extractor.extract(where));
    if (Status st = audit(sharded, conditions); !st) return st;
    std::optional<Node> updateTarget;
    if (s_.kind == ast::StatementKind::Update) {
      auto target = checkShardingKeyUpdate(extractor, conditions, s_.update.set, sharded);
      if (!target) return target.status();
      updateTarget = *target;
    }
    // Group the tables: each binding group routes once, through its first member with conditions.
    struct Group {
      std::vector<const StatementTable*> members;
      const StatementTable* primary = nullptr;
      std::vector<Node> nodes;
    };
    std::vector<Group> groups;
    for (const StatementTable* t : sharded) {
      Group* group = nullptr;
      if (t->rule->bindingGroup >= 0) {
        for (Group& g : groups) {
          if (g.members.front()->rule->bindingGroup == t->rule->bindingGroup) group = &g;
        }
      }
      if (!group) {
        groups.emplace_back();
        group = &groups.back();
      }
      group->members.push_back(t);
    }
    for (Group& g : groups) {
      g.primary = g.members.front();
      for (const StatementTable* m : g.members) {
        if (hasCondition(*m->rule, conditions)) {
          g.primary = m;
          break;
        }
      }
      auto nodes = routeTable(*g.primary->rule, conditions);
      if (!nodes) return nodes.status();
      g.nodes = std::move(*nodes);
    }
    // Units: per data source common to every group, the Cartesian product of the groups' nodes
    // there (one group: its nodes).
    std::vector<std::string> dataSources;
    for (const Node& n : groups.front().nodes) {
      if (std::find(dataSources.begin(), dataSources.end(), n.dataSource) == dataSources.end()) {
        dataSources.push_back(n.dataSource);
      }
    }
    std::vector<RouteUnit> units;
    for (const std::string& ds : dataSources) {
      std::vector<std::vector<TableMapping>> combos{{}};
      bool everyGroup = true;
      for (const Group& g : groups) {
        std::vector<std::vector<TableMapping>> next;
        for (const Node& n : g.nodes) {
          if (n.dataSource != ds) continue;
          std::vector<TableMapping> mapping{{g.primary->rule->logicTable, n.table}};
          for (const StatementTable* m : g.members) {
            if (m == g.primary) continue;
            auto actual = pairedActualTable(*g.primary->rule, n.table, *m->rule, ds);
            if (!actual) {
              return shardingError(er::kSsBindingTableNotFound, "44000",
                                   "Can not find binding actual table, data source is `" + ds +
                                       "`, logic table is `" + m->rule->logicTable +
                                       "`, other actual table is `" + n.table + "`.");
            }
            mapping.push_back({m->rule->logicTable, *actual});
          }
          for (const auto& combo : combos) {
            auto joined = combo;
            joined.insert(joined.end(), mapping.begin(), mapping.end());
            next.push_back(std::move(joined));
          }
        }
        if (next.empty()) {
          everyGroup = false;
          break;
        }
        combos = std::move(next);
      }
      if (!everyGroup) continue;
      for (auto& combo : combos) units.push_back(RouteUnit{ds, std::move(combo), {}});
    }
    if (units.empty()) {
      std::string names;
      for (const StatementTable* t : sharded)
        names += (names.empty() ? "" : ", ") + t->rule->logicTable;
      return shardingError(
          er::kSsNoDataSourceIntersection, "44000",
          "Can not find actual data source intersection for logic tables `[" + names + "]`.");
    }
    // Tables that are not bound are joined per data source: right only when every one of them
    // has all its routed rows on the same single data source (pairs across data sources would be
    // missed), else refused rather than answered wrongly.
    if (groups.size() > 1) {
      std::set<std::string> spanned;
      for (const Group& g : groups) {
        for (const Node& n : g.nodes) spanned.insert(n.dataSource);
      }
      if (spanned.size() > 1) {
        return unsupported("joining sharded tables '" + groups[0].primary->rule->logicTable +
                           "' and '" + groups[1].primary->rule->logicTable +
                           "', which are not binding tables, across data sources");
      }
    }
    if (updateTarget) {
      // The rows stay where they are only on the node the new values route to: the UPDATE runs
      // there; every other node the WHERE reaches must hold no row it matches.
      std::vector<RouteUnit> target;
      for (RouteUnit& u : units) {
        const std::string* actual = u.actualTable(sharded.front()->rule->logicTable);
        if (u.dataSource == updateTarget->dataSource && actual && *actual == updateTarget->table) {
          target.push_back(std::move(u));
        } else {
          mustNotMatch_.push_back(std::move(u));
        }
      }
      if (target.empty()) {
        target.push_back(RouteUnit{updateTarget->dataSource,
                                   {{sharded.front()->rule->logicTable, updateTarget->table}},
                                   {}});
      }
      units = std::move(target);
    }
    return units;
  }

  // DML_SHARDING_CONDITIONS: DML on a table with this auditor needs a sharding condition.
  Status audit(const std::vector<const StatementTable*>& sharded,
               const Conditions& conditions) const {
    for (const StatementTable* t : sharded) {
      if (t->rule->auditors.empty()) continue;
      bool disabled =
          t->rule->allowHintDisable &&
          std::all_of(
              t->rule->auditors.begin(), t->rule->auditors.end(), [&](const std::string& a) {
                return std::find(hint_.disableAuditNames.begin(), hint_.disableAuditNames.end(),
                                 a) != hint_.disableAuditNames.end();
              });
      if (disabled) continue;
      if (!hasCondition(*t->rule, conditions)) {
        return shardingError(er::kSsDmlWithoutShardingConditions, "42000",
                             "Not allow DML operation without sharding conditions.");
      }
    }
    return Status::ok();
  }

  // UPDATE ... SET of a sharding column must leave every row on its data node (ShardingSphere's
  // rule). Fine when the WHERE already pins the column to the new value (nullopt: route as
  // usual); else the new values, with what the WHERE says of the other sharding columns, must
  // route to one node: returned, for routeSharded() to run the UPDATE there after checking that
  // no other node holds a matching row. Otherwise 20041.
  Result<std::optional<Node>> checkShardingKeyUpdate(
      const ConditionExtractor& extractor, const Conditions& conditions,
      const std::vector<ast::Assignment>& set, const std::vector<const StatementTable*>& sharded) {
    std::map<ColumnKey, Value> assigned;
    for (const ast::Assignment& a : set) {
      const ast::Expr& column = s_.expr(a.column);
      for (const std::string& table : resolveColumn(column)) {
        std::string name = lowerAscii(column.column.value);
        auto value = extractor.constant(a.value);
        std::optional<Value> stored;
        if (value) {
          auto v = storedValue(table, name, *value);
          if (v) stored = std::move(*v);
        }
        if (!stored) return refusedShardingUpdate(table);
        assigned[ColumnKey{table, name}] = std::move(*stored);
      }
    }
    if (assigned.empty()) return std::optional<Node>();
    bool same = conditions.clauses.size() == 1;
    for (const auto& [key, value] : assigned) {
      if (!same) break;
      auto it = conditions.clauses.front().find(key);
      same = it != conditions.clauses.front().end() && it->second.hasValues &&
             it->second.values.size() == 1 && compare(it->second.values.front(), value) == 0;
    }
    if (same) return std::optional<Node>();
    const std::string& table = assigned.begin()->first.table;
    if (sharded.size() != 1 || s_.update.tables.size() != 1) return refusedShardingUpdate(table);
    Conditions after = conditions;
    for (Clause& clause : after.clauses) {
      for (const auto& [key, value] : assigned) {
        ColumnCondition c;
        c.hasValues = true;
        c.values = {value};
        clause[key] = std::move(c);
      }
    }
    auto nodes = routeTable(*sharded.front()->rule, after);
    if (!nodes) return nodes.status();
    std::set<Node> distinct(nodes->begin(), nodes->end());
    if (distinct.size() != 1) return refusedShardingUpdate(table);
    return std::optional<Node>(*distinct.begin());
  }

  Status refusedShardingUpdate(const std::string& table) const {
    const StatementTable* t = findTable(table);
    return shardingError(er::kSsShardingValueUpdated, "44000",
                         "Can not update sharding value for table `" +
                             (t ? t->rule->logicTable : table) + "`.");
  }

  // INSERT / REPLACE: each row goes to the one node its sharding values choose; rows are grouped
  // per node. A key column left out gets generated values first (they may be sharding values).
  Result<std::vector<RouteUnit>> routeInsert(const StatementTable& table, RouteResult& result) {
    const ast::InsertStatement& ins = s_.insert;
    if (tables_.size() > 1 || ins.source == ast::InsertStatement::Source::Select) {
      return unsupported("INSERT ... SELECT into sharded table '" + table.name + "'");
    }
    const TableRule& rule = *table.rule;
    std::string logic = lowerAscii(rule.logicTable);
    ConditionExtractor extractor(
        s_, [](const ast::Expr&) { return std::vector<std::string>{}; }, options_.parameters);
    // Column name -> value expression per row.
    std::vector<std::string> columns;
    std::vector<std::vector<ast::ExprId>> rows;
    if (ins.source == ast::InsertStatement::Source::Set) {
      rows.emplace_back();
      for (const ast::Assignment& a : ins.set) {
        columns.push_back(lowerAscii(s_.expr(a.column).column.value));
        rows.back().push_back(a.value);
      }
    } else {
      if (ins.columns.empty()) {
        // The table's own columns, in order, as the server reads a row without a column list.
        const metadata::TableSchema* schema = nullptr;
        if (options_.schema) {
          auto it = options_.schema->find(logic);
          if (it != options_.schema->end()) schema = it->second.get();
        }
        if (!schema) {
          return unsupported("INSERT into sharded table '" + table.name +
                             "' without a column list: its columns are not known (name the "
                             "columns)");
        }
        for (const metadata::ColumnSchema& c : schema->columns) {
          columns.push_back(lowerAscii(c.name));
        }
      } else {
        for (ast::ExprId c : ins.columns) columns.push_back(lowerAscii(s_.expr(c).column.value));
      }
      for (const ast::ValueRow& row : ins.rows) {
        if (row.values.size() != columns.size()) {
          return Status(
              er::kWrongValueCountOnRow, "21S01",
              "Column count doesn't match value count at row " + std::to_string(rows.size() + 1));
        }
        rows.push_back(row.values);
      }
    }
    for (const ast::Assignment& a : ins.onDuplicate) {
      std::string name = lowerAscii(s_.expr(a.column).column.value);
      if (isShardingColumn(rule, name)) {
        return shardingError(er::kSsShardingValueUpdated, "44000",
                             "Can not update sharding value for table `" + rule.logicTable + "`.");
      }
    }
    std::optional<size_t> keyColumn;
    if (rule.keyGenerate) {
      auto it = std::find(columns.begin(), columns.end(), lowerAscii(rule.keyGenerate->column));
      if (it == columns.end()) {
        GeneratedKeys keys;
        keys.column = rule.keyGenerate->column;
        for (size_t i = 0; i < rows.size(); ++i) {
          auto key = rule.keyGenerate->generator->next();
          if (!key) return key.status();
          keys.values.push_back(std::move(*key));
        }
        result.generatedKeys = std::move(keys);
      }
    }
    std::vector<std::string> shardingColumns = rule.databaseStrategy.columns;
    shardingColumns.insert(shardingColumns.end(), rule.tableStrategy.columns.begin(),
                           rule.tableStrategy.columns.end());
    std::vector<RouteUnit> units;
    for (size_t r = 0; r < rows.size(); ++r) {
      Clause clause;
      for (const std::string& column : shardingColumns) {
        std::optional<Value> v;
        auto it = std::find(columns.begin(), columns.end(), lowerAscii(column));
        if (it != columns.end()) {
          v = extractor.constant(rows[r][static_cast<size_t>(it - columns.begin())]);
          if (!v) {
            return unsupported("INSERT value of sharding column '" + column +
                               "' must be a constant or a parameter");
          }
        } else if (result.generatedKeys && result.generatedKeys->column == column) {
          v = result.generatedKeys->values[r];
        } else {
          continue;
        }
        if (v->isNull()) {
          return shardingError(er::kSsNullShardingValue, "44000",
                               "Sharding value can't be null in sql statement.");
        }
        auto stored = storedValue(logic, column, *v);
        if (!stored) return stored.status();
        v = std::move(*stored);
        ColumnCondition c;
        c.hasValues = true;
        c.values = {*v};
        clause[ColumnKey{logic, lowerAscii(column)}] = std::move(c);
      }
      auto nodes = routeTable(rule, clause);
      if (!nodes) return nodes.status();
      if (nodes->size() != 1) {
        return shardingError(er::kSsDuplicateRecordRoute, "44000",
                             "Please check your sharding conditions `" + describe(clause) +
                                 "` to avoid same record in table `" + rule.logicTable +
                                 "` routing to multiple data nodes.");
      }
      const Node& n = nodes->front();
      auto unit = std::find_if(units.begin(), units.end(), [&](const RouteUnit& u) {
        return u.dataSource == n.dataSource && u.tables.front().actualTable == n.table;
      });
      if (unit == units.end()) {
        units.push_back(RouteUnit{n.dataSource, {{rule.logicTable, n.table}}, {}});
        unit = units.end() - 1;
      }
      unit->insertRows.push_back(r);
    }
    return units;
  }

  static std::string describe(const Clause& clause) {
    std::string out;
    for (const auto& [key, c] : clause) {
      if (!out.empty()) out += ", ";
      out += key.column + "=";
      for (const Value& v : c.values) out += v.toString();
    }
    return out.empty() ? "none" : out;
  }

  const ShardingRule& rule_;
  const TableLocations& locations_;
  const std::string& default_;
  const ast::Statement& s_;
  const RouteOptions& options_;
  Hint hint_;
  std::vector<StatementTable> tables_;
  std::vector<RouteUnit> mustNotMatch_;  // UPDATE of a sharding column (checkShardingKeyUpdate)
  std::map<std::string, std::string> aliases_;  // alias or table (lower) -> table (lower)
  bool external_ = false;                       // names tables of other schemas
};

}  // namespace

Router::Router(const ShardingRule& rule, const TableLocations& locations,
               std::string defaultDataSource)
    : rule_(rule), locations_(locations), defaultDataSource_(std::move(defaultDataSource)) {}

Result<RouteResult> Router::route(const ast::Statement& s, const RouteOptions& options) const {
  if (s.kind == ast::StatementKind::Ddl)
    return routeDdl(rule_, locations_, defaultDataSource_, s, options);
  return Routing(rule_, locations_, defaultDataSource_, s, options).run();
}

}  // namespace shardproxy::router
