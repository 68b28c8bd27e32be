#include "executor/table_commands.h"

#include <strings.h>

#include <charconv>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/sql_text.h"
#include "executor/engine.h"
#include "executor/logical_names.h"
#include "executor/table_nodes.h"
#include "protocol/constants.h"

namespace shardproxy::executor {

namespace ast = parser::ast;

namespace {

constexpr uint16_t kLockOrActiveTransaction = 1192;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

awaitable<bool> TableCommands::execute(const ast::Statement& s) {
  const config::LogicalDatabase* db = session_.topology().findDatabase(session_.database);
  if (s.kind == ast::StatementKind::Tcl && s.tclKind == ast::TclKind::UnlockTables) {
    // Locks the proxy took for the session; otherwise the statement goes where it went before
    // (a pass-through connection's own locks).
    if (!session_.tablesLocked()) co_return false;
    if (Status st = co_await session_.unlockTables(); !st) {
      sink_.error(st);
    } else {
      sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
    }
    co_return true;
  }
  if (s.kind == ast::StatementKind::Tcl && s.tclKind == ast::TclKind::LockTables) {
    if (!db || parser::tableLockClauses(s, session_.variables.lexMode()).empty()) co_return false;
    co_await lockTables(s, *db);
    co_return true;
  }
  parser::TableCommandShape shape = parser::tableCommand(s, session_.variables.lexMode());
  switch (shape.command) {
    case parser::TableCommand::None:
      co_return false;
    case parser::TableCommand::FlushTables:
      co_await flushTables(s, shape);
      co_return true;
    default:
      if (!db || shape.tables.empty()) co_return false;
      co_await maintenance(s, shape, *db);
      co_return true;
  }
}

awaitable<Status> TableCommands::takeLocks(const Target& target, const std::string& sql) {
  auto held = co_await session_.acquire(target);
  if (!held) co_return held.status();
  ShardConnection& conn = *held->conn;
  session_.logSql(target.dataSource->name, sql);
  Status s = co_await conn.query(sql);
  if (s && !conn.idleClean()) s = co_await conn.drain();
  if (s) held->locked = true;
  session_.finish(target, std::move(*held), false);
  co_return s;
}

awaitable<void> TableCommands::lockTables(const ast::Statement& s,
                                          const config::LogicalDatabase& db) {
  // A new LOCK TABLES first lets go of the session's locks, as MySQL does.
  if (Status st = co_await session_.unlockTables(); !st) {
    sink_.error(st);
    co_return;
  }
  const router::ShardingRule* rule = session_.rulesOf(db.name);
  std::shared_ptr<const metadata::TableLocations> locations =
      session_.services().tables.locations(db.name);
  std::vector<PerDataSource<std::string>> groups;
  const parser::LexMode mode = session_.variables.lexMode();
  for (const parser::TableLockClause& c :
       parser::tableLockClauses(s, session_.variables.lexMode())) {
    const ast::ObjectName& o = s.objects[c.object];
    std::string clause(s.text(c.clause));
    std::vector<ActualTable> tables = actualTablesOf(db, rule, *locations, o.name.value);
    // An alias names one table of a LOCK TABLES (1066 otherwise): a logical table with several
    // actual tables on one data source cannot be locked under one.
    if (parser::lockClauseHasAlias(s, c, mode)) {
      for (size_t i = 0; i < tables.size(); ++i) {
        for (size_t j = i + 1; j < tables.size(); ++j) {
          if (tables[i].dataSource != tables[j].dataSource) continue;
          sink_.error(Status(er::kNotSupportedYet, "42000",
                             "unsupported: LOCK TABLES of '" + o.name.value +
                                 "' under an alias: it has several actual tables on data source " +
                                 tables[i].dataSource + ", which one alias cannot name"));
          co_return;
        }
      }
    }
    for (const ActualTable& t : tables) {
      addTo(groups, t.dataSource, quoteIdentifier(t.table) + clause);
    }
  }
  for (const auto& group : groups) {
    auto target = session_.targetFor(db, group.dataSource);
    // (No co_await inside a conditional expression: GCC 12 miscompiles it.)
    Status st = target.status();
    if (target) st = co_await takeLocks(*target, "LOCK TABLES " + joined(group.items));
    if (!st) {
      // All or nothing: the locks taken on other data sources go too.
      Status released = co_await session_.unlockTables();
      (void)released;  // the statement's error is the one to report
      sink_.error(logicalError(st, db, rule));
      co_return;
    }
  }
  sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
}

awaitable<void> TableCommands::flushTables(const ast::Statement& s,
                                           const parser::TableCommandShape& shape) {
  if (shape.flushLocks && session_.tablesLocked()) {
    sink_.error(Status(kLockOrActiveTransaction, "25000",
                       "Can't execute the given command because you have active locked tables "
                       "or an active transaction"));
    co_return;
  }
  // Where it runs: the data sources of the named tables with their actual names, or every data
  // source of the logical databases in question (one statement per backend connection).
  struct Run {
    Target target;
    std::string sql;
    const config::LogicalDatabase* db;
  };
  std::vector<Run> runs;
  std::set<std::string> keys;
  auto add = [&](const config::LogicalDatabase& db, const std::string& dataSource,
                 std::string sql) -> Status {
    auto target = session_.targetFor(db, dataSource);
    if (!target) return target.status();
    if (keys.insert(session_.participantKey(*target)).second) {
      runs.push_back(Run{*target, std::move(sql), &db});
    }
    return Status::ok();
  };
  const config::Topology& topology = session_.topology();
  const config::LogicalDatabase* current = topology.findDatabase(session_.database);
  if (!shape.tables.empty()) {
    if (!current) {
      sink_.error(Status(er::kNoDb, "3D000", "No database selected"));
      co_return;
    }
    const router::ShardingRule* rule = session_.rulesOf(current->name);
    auto locations = session_.services().tables.locations(current->name);
    std::vector<PerDataSource<std::string>> groups;
    for (size_t i : shape.tables) {
      for (const ActualTable& t :
           actualTablesOf(*current, rule, *locations, s.objects[i].name.value)) {
        addTo(groups, t.dataSource, quoteIdentifier(t.table));
      }
    }
    for (const auto& g : groups) {
      std::string sql =
          std::string(s.text(shape.head)) + joined(g.items) + std::string(s.text(shape.tail));
      if (Status st = add(*current, g.dataSource, std::move(sql)); !st) {
        sink_.error(st);
        co_return;
      }
    }
  } else {
    std::string sql(s.text(s.span));
    for (const auto& [name, db] : topology.databases) {
      if (current ? current != &db : !topology.authority.mayAccess(*session_.user, name)) continue;
      for (const config::DataSource& ds : db.dataSources) {
        if (Status st = add(db, ds.name, sql); !st) {
          sink_.error(st);
          co_return;
        }
      }
    }
  }
  for (const Run& run : runs) {
    Status st;
    if (shape.flushLocks) {
      st = co_await takeLocks(run.target, run.sql);
    } else {
      auto rows = co_await engine_.fetch(run.target, run.sql);
      st = rows.status();
    }
    if (!st) {
      if (shape.flushLocks) {
        Status released = co_await session_.unlockTables();
        (void)released;  // the statement's error is the one to report
      }
      sink_.error(logicalError(st, *run.db, session_.rulesOf(run.db->name)));
      co_return;
    }
  }
  sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
}

awaitable<void> TableCommands::maintenance(const ast::Statement& s,
                                           const parser::TableCommandShape& shape,
                                           const config::LogicalDatabase& db) {
  const router::ShardingRule* rule = session_.rulesOf(db.name);
  auto locations = session_.services().tables.locations(db.name);
  // The logical tables in the order written (each once), and per data source the actual tables
  // with the logical table each stands for.
  std::vector<std::string> logical;
  struct Item {
    size_t logical;
    std::string actual;
  };
  std::vector<PerDataSource<Item>> groups;
  for (size_t i : shape.tables) {
    const std::string& name = s.objects[i].name.value;
    bool seen = false;
    for (const std::string& l : logical) seen = seen || iequals(l, name);
    if (seen) continue;
    logical.push_back(name);
    for (const ActualTable& t : actualTablesOf(db, rule, *locations, name)) {
      addTo(groups, t.dataSource, Item{logical.size() - 1, t.table});
    }
  }
  std::vector<std::vector<MaintenanceRow>> rowsOf(logical.size());
  const bool checksum = shape.command == parser::TableCommand::Checksum;
  std::vector<std::optional<uint64_t>> sums(logical.size());
  std::vector<bool> missing(logical.size(), false);
  std::vector<bool> copies(logical.size(), false);
  std::vector<protocol::ColumnDefinition> columns;  // the first data source's
  for (size_t i = 0; i < logical.size(); ++i) copies[i] = rule && rule->isBroadcast(logical[i]);
  for (const auto& g : groups) {
    auto target = session_.targetFor(db, g.dataSource);
    if (!target) {
      sink_.error(target.status());
      co_return;
    }
    std::vector<std::string> names;
    for (const Item& item : g.items) names.push_back(quoteIdentifier(item.actual));
    std::string sql =
        std::string(s.text(shape.head)) + joined(names) + std::string(s.text(shape.tail));
    auto rows = co_await engine_.fetch(*target, sql);
    if (!rows) {
      sink_.error(logicalError(rows.status(), db, rule));
      co_return;
    }
    if (columns.empty()) columns = rows->columns;
    if (rows->columns.size() < (checksum ? 2u : 4u) || rows->columns.size() != columns.size()) {
      sink_.error(Status(er::kUnknownError, "HY000",
                         "data source " + g.dataSource + " answered " +
                             std::string(s.text(s.span)) + " with columns other than MySQL's"));
      co_return;
    }
    const std::string prefix = target->dataSource->database + ".";
    for (const auto& row : rows->rows) {
      std::string table = row[0].value_or("");
      if (table.compare(0, prefix.size(), prefix) == 0) table.erase(0, prefix.size());
      const Item* owner = nullptr;
      for (const Item& item : g.items) {
        if (iequals(item.actual, table)) owner = &item;
      }
      // A row for a table the statement did not name here cannot be placed: left out rather
      // than shown under a physical name.
      if (!owner) continue;
      if (checksum) {
        // MySQL's checksum is the sum of its rows' checksums (32 bits): the actual tables'
        // checksums add up to the logical table's. NULL (a table missing) makes it NULL.
        std::optional<uint64_t>& sum = sums[owner->logical];
        // A broadcast table's copies are one table.
        if (copies[owner->logical] && (sum || missing[owner->logical])) continue;
        uint64_t value = 0;
        const std::string text = row[1].value_or("");
        auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
        if (!row[1] || parsed.ec != std::errc() || missing[owner->logical]) {
          missing[owner->logical] = true;
          sum.reset();
        } else {
          sum = (sum.value_or(0) + value) & 0xffffffffu;
        }
        continue;
      }
      rowsOf[owner->logical].push_back(MaintenanceRow{"", row[1].value_or(""), row[2].value_or(""),
                                                      logicalText(row[3].value_or(""), db, rule)});
    }
  }
  if (checksum) {
    std::vector<std::vector<std::optional<std::string>>> out;
    for (size_t i = 0; i < logical.size(); ++i) {
      std::optional<std::string> value;
      if (sums[i] && !missing[i]) value = std::to_string(*sums[i]);
      out.push_back({db.name + "." + logical[i], std::move(value)});
    }
    writeRows(columns, out);
    co_return;
  }
  std::vector<std::vector<std::optional<std::string>>> out;
  for (size_t i = 0; i < logical.size(); ++i) {
    for (MaintenanceRow& r : foldMaintenanceRows(db.name + "." + logical[i], rowsOf[i])) {
      out.push_back(
          {std::move(r.table), std::move(r.op), std::move(r.msgType), std::move(r.msgText)});
    }
  }
  writeRows(columns, out);
}

void TableCommands::writeRows(std::vector<protocol::ColumnDefinition>& columns,
                              const std::vector<std::vector<std::optional<std::string>>>& rows) {
  // The backend's column definitions (MySQL's types: the checksum a BIGINT), none naming a
  // physical database.
  const uint16_t status = session_.statusFlags();
  sink_.columnCount(columns.size());
  for (protocol::ColumnDefinition& c : columns) {
    c.schema.clear();
    sink_.column(protocol::refOf(c));
  }
  sink_.columnsEnd(status);
  for (const auto& row : rows) {
    sink_.beginRow();
    bool valid = true;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i < row.size() && row[i]) {
        valid = sink_.value(*row[i]) && valid;
      } else {
        sink_.null();
      }
    }
    sink_.endRow(valid);
  }
  sink_.end(status, 0);
}

}  // namespace shardproxy::executor
