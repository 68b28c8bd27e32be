#include "admin/information_schema.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "binder/binder.h"
#include "common/sql_text.h"
#include "protocol/constants.h"

namespace shardproxy::admin {

namespace ast = parser::ast;
using router::lowerAscii;

namespace {

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Columns that name a database, a table, or an index or constraint of a table (whose names on
// a sharded table's actual tables carry the actual table's name as a suffix).
bool isDatabaseColumn(std::string_view c) {
  static const std::set<std::string, std::less<>> kColumns = {"TABLE_SCHEMA",
                                                              "SCHEMA_NAME",
                                                              "CONSTRAINT_SCHEMA",
                                                              "INDEX_SCHEMA",
                                                              "UNIQUE_CONSTRAINT_SCHEMA",
                                                              "REFERENCED_TABLE_SCHEMA",
                                                              "ROUTINE_SCHEMA",
                                                              "SPECIFIC_SCHEMA",
                                                              "TRIGGER_SCHEMA",
                                                              "EVENT_OBJECT_SCHEMA",
                                                              "EVENT_SCHEMA"};
  return kColumns.count(c) > 0;
}
bool isTableColumn(std::string_view c) {
  return c == "TABLE_NAME" || c == "REFERENCED_TABLE_NAME" || c == "EVENT_OBJECT_TABLE";
}
bool isIndexNameColumn(std::string_view c) {
  return c == "INDEX_NAME" || c == "CONSTRAINT_NAME" || c == "UNIQUE_CONSTRAINT_NAME";
}
// Columns holding SQL text that qualifies names with the database.
bool isSqlTextColumn(std::string_view c) {
  return c == "VIEW_DEFINITION" || c == "ROUTINE_DEFINITION" || c == "ACTION_STATEMENT" ||
         c == "EVENT_DEFINITION" || c == "CHECK_CLAUSE" || c == "GENERATION_EXPRESSION";
}
// TABLES and PARTITIONS: what a sharded table's actual tables add up to.
bool isSummedColumn(std::string_view c) {
  return c == "TABLE_ROWS" || c == "DATA_LENGTH" || c == "INDEX_LENGTH" || c == "DATA_FREE" ||
         c == "MAX_DATA_LENGTH";
}
// ... and what is the largest of them: the next AUTO_INCREMENT value (as MySQL shows a
// partitioned table's), the latest update and check.
bool isLargestColumn(std::string_view c) {
  return c == "AUTO_INCREMENT" || c == "UPDATE_TIME" || c == "CHECK_TIME";
}

std::optional<uint64_t> toNumber(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return n;
}

// The select block whose FROM (joins included) holds table reference `id`.
const ast::Select* blockOf(const ast::Statement& s, ast::TableRefId id) {
  std::function<bool(ast::TableRefId)> holds = [&](ast::TableRefId t) {
    if (t == ast::kNone) return false;
    if (t == id) return true;
    const ast::TableRef& r = s.tableRef(t);
    if (r.kind == ast::TableRef::Kind::Join) return holds(r.left) || holds(r.right);
    return std::any_of(r.members.begin(), r.members.end(), holds);
  };
  for (const ast::Select& q : s.selects) {
    if (std::any_of(q.from.begin(), q.from.end(), holds)) return &q;
  }
  return nullptr;
}

// The databases the WHERE of `q` limits the rows of `ref` (named `qualifier`) to: conditions
// `<database column> = 'x'`, `= DATABASE()` and `IN ('x', ...)` at the top level of AND.
std::optional<std::set<std::string>> databasesNamed(const ast::Statement& s, const ast::Select& q,
                                                    std::string_view qualifier, bool alone,
                                                    std::string_view table,
                                                    std::string_view session) {
  if (q.where == ast::kNone) return std::nullopt;
  std::string_view column = databaseColumn(table);
  if (column.empty()) return std::nullopt;
  auto isColumn = [&](const ast::Expr& e) {
    if (e.kind != ast::ExprKind::Column || !equalsNoCase(e.column.value, column)) return false;
    return e.table.empty() ? alone : equalsNoCase(e.table.value, qualifier);
  };
  // A constant naming a database: a string literal, or DATABASE() / SCHEMA().
  auto constant = [&](const ast::Expr& e) -> std::optional<std::string> {
    if (e.kind == ast::ExprKind::Literal && e.literalType == ast::LiteralType::String) {
      return e.value;
    }
    if (e.kind == ast::ExprKind::Function && e.args.empty() &&
        (equalsNoCase(e.name, "DATABASE") || equalsNoCase(e.name, "SCHEMA"))) {
      return std::string(session);
    }
    return std::nullopt;
  };
  std::vector<ast::ExprId> conjuncts;
  std::function<void(ast::ExprId)> split = [&](ast::ExprId id) {
    const ast::Expr& e = s.expr(id);
    if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::And) {
      for (ast::ExprId a : e.args) split(a);
    } else {
      conjuncts.push_back(id);
    }
  };
  split(q.where);
  for (ast::ExprId id : conjuncts) {
    const ast::Expr& e = s.expr(id);
    std::set<std::string> names;
    bool found = false;
    if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::Eq &&
        e.args.size() == 2) {
      const ast::Expr& a = s.expr(e.args[0]);
      const ast::Expr& b = s.expr(e.args[1]);
      std::optional<std::string> value;
      if (isColumn(a)) value = constant(b);
      if (!value && isColumn(b)) value = constant(a);
      if (value) {
        names.insert(lowerAscii(*value));
        found = true;
      }
    } else if (e.kind == ast::ExprKind::In && !e.negated && e.subquery == ast::kNone &&
               e.args.size() > 1 && isColumn(s.expr(e.args[0]))) {
      found = true;
      for (size_t i = 1; i < e.args.size() && found; ++i) {
        std::optional<std::string> value = constant(s.expr(e.args[i]));
        if (value) {
          names.insert(lowerAscii(*value));
        } else {
          found = false;
        }
      }
    }
    if (found) return names;
  }
  return std::nullopt;
}

// NULL typed as column `c` is.
std::string nullOfType(const protocol::ColumnDefinition& c) {
  using protocol::ColumnType;
  switch (c.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
      return c.flags & protocol::colflag::kUnsigned ? "CAST(NULL AS UNSIGNED)"
                                                    : "CAST(NULL AS SIGNED)";
    case ColumnType::kDatetime:
    case ColumnType::kDatetime2:
    case ColumnType::kTimestamp:
      return "CAST(NULL AS DATETIME)";
    default:
      return "NULL";
  }
}

}  // namespace

std::string_view databaseColumn(std::string_view table) {
  static const std::map<std::string, std::string, std::less<>> kColumns = {
      {"SCHEMATA", "SCHEMA_NAME"},
      {"TABLES", "TABLE_SCHEMA"},
      {"COLUMNS", "TABLE_SCHEMA"},
      {"STATISTICS", "TABLE_SCHEMA"},
      {"KEY_COLUMN_USAGE", "TABLE_SCHEMA"},
      {"TABLE_CONSTRAINTS", "TABLE_SCHEMA"},
      {"REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA"},
      {"CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA"},
      {"VIEWS", "TABLE_SCHEMA"},
      {"ROUTINES", "ROUTINE_SCHEMA"},
      {"PARAMETERS", "SPECIFIC_SCHEMA"},
      {"TRIGGERS", "TRIGGER_SCHEMA"},
      {"EVENTS", "EVENT_SCHEMA"},
      {"PARTITIONS", "TABLE_SCHEMA"},
  };
  auto it = kColumns.find(table);
  return it == kColumns.end() ? std::string_view() : std::string_view(it->second);
}

std::vector<InformationSchemaRef> informationSchemaRefs(const ast::Statement& s,
                                                        std::string_view database) {
  std::set<std::string> ctes;
  for (const ast::Select& q : s.selects) {
    for (const ast::Cte& cte : q.with) ctes.insert(lowerAscii(cte.name.value));
  }
  std::vector<InformationSchemaRef> out;
  for (ast::TableRefId id = 0; id < s.tableRefs.size(); ++id) {
    const ast::TableRef& t = s.tableRefs[id];
    if (t.kind != ast::TableRef::Kind::Table) continue;
    if (t.schema.empty()) {
      if (!binder::isInformationSchema(database) || ctes.count(lowerAscii(t.name.value)) > 0) {
        continue;
      }
    } else if (!binder::isInformationSchema(t.schema.value)) {
      continue;
    }
    if (!binder::isLogicalInformationSchemaTable(t.name.value)) continue;
    InformationSchemaRef ref;
    ref.span = t.span;
    ref.table = upperAscii(t.name.value);
    ref.alias = t.alias.value;
    if (const ast::Select* q = blockOf(s, id)) {
      bool alone = q->from.size() == 1 && q->from[0] == id;
      ref.databases = databasesNamed(s, *q, t.alias.empty() ? t.name.value : t.alias.value, alone,
                                     ref.table, database);
    }
    out.push_back(std::move(ref));
  }
  std::sort(out.begin(), out.end(),
            [](const InformationSchemaRef& a, const InformationSchemaRef& b) {
              return a.span.begin < b.span.begin;
            });
  return out;
}

void LogicalCatalog::addVerbatim(const CatalogRows& rows) {
  if (out_.columns.empty()) out_.columns = rows.columns;
  for (const auto& row : rows.rows) out_.rows.push_back(row);
}

void LogicalCatalog::add(const config::LogicalDatabase& db, const router::ShardingRule* rules,
                         const config::DataSource& dataSource, const CatalogRows& rows) {
  if (out_.columns.empty()) out_.columns = rows.columns;
  if (rules && rules->empty()) rules = nullptr;
  const std::vector<protocol::ColumnDefinition>& columns = rows.columns;
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(upperAscii(c.name));
  auto find = [&](std::string_view name) -> int {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  // The table a row is about, and the object that makes rows of several data sources the same
  // (a broadcast table is on all of them; its rows are shown once).
  int tableAt = find("TABLE_NAME");
  if (tableAt < 0) tableAt = find("EVENT_OBJECT_TABLE");
  int objectAt = tableAt;
  for (std::string_view c : {"SPECIFIC_NAME", "TRIGGER_NAME", "EVENT_NAME"}) {
    if (objectAt < 0) objectAt = find(c);
  }
  int partitionAt = find("PARTITION_NAME");
  bool sums = table_ == "TABLES" || table_ == "PARTITIONS";
  // A data node may name a read/write group: its write data source is where the table is.
  auto onThisSource = [&](const std::string& name) {
    if (name == dataSource.name) return true;
    auto group = db.logicalDataSources.find(name);
    return group != db.logicalDataSources.end() && group->second == dataSource.name;
  };
  const std::string quotedPhysical = quoteIdentifier(dataSource.database) + ".";
  const std::string quotedLogical = quoteIdentifier(db.name) + ".";
  for (const auto& physicalRow : rows.rows) {
    if (physicalRow.size() != names.size()) continue;
    std::vector<std::optional<std::string>> row = physicalRow;
    const std::string actual = tableAt >= 0 && row[tableAt] ? *row[tableAt] : std::string();
    const router::TableRule* sharded =
        rules && !actual.empty() ? rules->findByActualTable(actual) : nullptr;
    if (sharded) {
      const auto& here = sharded->tablesOn(dataSource.name);
      bool mine = std::any_of(here.begin(), here.end(),
                              [&](const std::string& a) { return equalsNoCase(a, actual); });
      if (!mine) {
        // Not this data source's node under a group's name either?
        mine = std::any_of(sharded->dataNodes.begin(), sharded->dataNodes.end(),
                           [&](const router::DataNode& n) {
                             return onThisSource(n.dataSource) && equalsNoCase(n.table, actual);
                           });
      }
      if (!mine) sharded = nullptr;  // a table of the same name that is no data node
    }
    bool firstNode = false;
    if (sharded) {
      const router::DataNode& front = sharded->dataNodes.front();
      firstNode = onThisSource(front.dataSource) && equalsNoCase(front.table, actual);
    }
    // Names to logical ones.
    for (size_t i = 0; i < names.size(); ++i) {
      if (!row[i]) continue;
      std::string& v = *row[i];
      const std::string& c = names[i];
      if (isDatabaseColumn(c)) {
        if (v == dataSource.database) v = db.name;
      } else if (isTableColumn(c)) {
        if (rules) {
          if (const router::TableRule* t = rules->findByActualTable(v)) v = t->logicTable;
        }
      } else if (isIndexNameColumn(c)) {
        if (sharded) {
          std::string suffix = "_" + actual;
          if (v.size() > suffix.size() &&
              equalsNoCase(std::string_view(v).substr(v.size() - suffix.size()), suffix)) {
            v.resize(v.size() - suffix.size());
          }
        }
      } else if (isSqlTextColumn(c)) {
        for (size_t at = v.find(quotedPhysical); at != std::string::npos;
             at = v.find(quotedPhysical, at + quotedLogical.size())) {
          v.replace(at, quotedPhysical.size(), quotedLogical);
        }
      }
    }
    if (sharded && sums) {
      std::string partition = partitionAt >= 0 && row[partitionAt] ? *row[partitionAt] : "";
      auto key = std::make_tuple(lowerAscii(db.name), lowerAscii(sharded->logicTable), partition);
      auto [it, fresh] = summed_.emplace(key, out_.rows.size());
      if (fresh) {
        out_.rows.push_back(std::move(row));
        continue;
      }
      std::vector<std::optional<std::string>>& into = out_.rows[it->second];
      if (firstNode) {
        // The first node's row describes the table; the others only add to it.
        std::swap(into, row);
      }
      for (size_t i = 0; i < names.size(); ++i) {
        if (isSummedColumn(names[i])) {
          std::optional<uint64_t> a = toNumber(into[i]), b = toNumber(row[i]);
          if (a || b) into[i] = std::to_string(a.value_or(0) + b.value_or(0));
        } else if (isLargestColumn(names[i]) && row[i]) {
          bool larger = !into[i] || *row[i] > *into[i];  // (times compare as text)
          if (names[i] == "AUTO_INCREMENT") {
            std::optional<uint64_t> a = toNumber(into[i]), b = toNumber(row[i]);
            larger = b && (!a || *b > *a);
          }
          if (larger) into[i] = row[i];
        }
      }
      continue;
    }
    if (sharded) {
      if (firstNode) out_.rows.push_back(std::move(row));
      continue;
    }
    // Not sharded: the first data source that has the object stands for it.
    std::string object = objectAt >= 0 && row[objectAt] ? lowerAscii(*row[objectAt]) : "";
    auto [owner, fresh] =
        owner_.emplace(std::make_pair(lowerAscii(db.name), object), dataSource.name);
    if (!fresh && owner->second != dataSource.name) continue;
    out_.rows.push_back(std::move(row));
  }
}

CatalogRows LogicalCatalog::take() {
  // Averages follow the sums.
  int rowsAt = -1, dataAt = -1, averageAt = -1;
  for (size_t i = 0; i < out_.columns.size(); ++i) {
    std::string c = upperAscii(out_.columns[i].name);
    if (c == "TABLE_ROWS") rowsAt = static_cast<int>(i);
    if (c == "DATA_LENGTH") dataAt = static_cast<int>(i);
    if (c == "AVG_ROW_LENGTH") averageAt = static_cast<int>(i);
  }
  if (!summed_.empty() && rowsAt >= 0 && dataAt >= 0 && averageAt >= 0) {
    for (const auto& [key, at] : summed_) {
      auto& row = out_.rows[at];
      std::optional<uint64_t> n = toNumber(row[rowsAt]), bytes = toNumber(row[dataAt]);
      if (n && bytes && row[averageAt]) row[averageAt] = std::to_string(*n ? *bytes / *n : 0);
    }
  }
  summed_.clear();
  owner_.clear();
  return std::move(out_);
}

std::string derivedTable(std::string_view table, const CatalogRows& rows, bool noBackslashEscapes) {
  using protocol::ColumnType;
  std::string out = "(SELECT * FROM information_schema." + std::string(table) + " WHERE 0";
  bool first = true;
  for (const auto& row : rows.rows) {
    out += first ? " UNION ALL VALUES (" : ", (";
    first = false;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ", ";
      const protocol::ColumnDefinition& c = rows.columns[i];
      if (!row[i]) {
        // A bare NULL among the rows would make a number column DECIMAL and a date a string.
        out += nullOfType(c);
        continue;
      }
      const std::string& v = *row[i];
      bool number = false;
      switch (c.type) {
        case ColumnType::kTiny:
        case ColumnType::kShort:
        case ColumnType::kLong:
        case ColumnType::kLongLong:
        case ColumnType::kInt24:
        case ColumnType::kYear:
        case ColumnType::kDecimal:
        case ColumnType::kNewDecimal:
        case ColumnType::kFloat:
        case ColumnType::kDouble:
          number = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
            return (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == 'e' || ch == 'E' ||
                   ch == '+';
          });
          break;
        default:
          break;
      }
      if (number) {
        // An unsigned column keeps its type: an integer literal would make the union DECIMAL.
        if (c.flags & protocol::colflag::kUnsigned) {
          out += "CAST(" + v + " AS UNSIGNED)";
        } else {
          out += v;
        }
      } else if ((c.type == ColumnType::kDatetime || c.type == ColumnType::kTimestamp ||
                  c.type == ColumnType::kDatetime2) &&
                 v.size() >= 19 && v.compare(0, 4, "0000") != 0) {
        out += "TIMESTAMP" + quoteString(v, noBackslashEscapes);
      } else {
        out += quoteString(v, noBackslashEscapes);
      }
    }
    out += ")";
  }
  out += ")";
  return out;
}

}  // namespace shardproxy::admin
