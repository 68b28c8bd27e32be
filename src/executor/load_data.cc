#include "executor/load_data.h"

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "common/run_all.h"
#include "common/sql_text.h"
#include "executor/engine.h"
#include "executor/logical_names.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "txn/coordinator.h"

namespace shardproxy::executor {

namespace ast = parser::ast;
using Duplicates = parser::LoadDataOptions::Duplicates;

namespace {

// Set before a load inside a transaction, to undo it alone when it fails.
const std::string kSavepoint = "shardproxy_load_data";

Status unsupported(std::string_view what) {
  return Status(er::kNotSupportedYet, "42000", "unsupported: " + std::string(what));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// What MySQL's LOAD DATA stores for a missing field: the row starts as the table's defaults and
// the field is reset to its type's zero, which keeps a NULL default NULL.
std::string zeroOf(const metadata::ColumnSchema& c) {
  // (information_schema shows a NULL default as the text NULL.)
  if (c.nullable && (!c.defaultValue || *c.defaultValue == "NULL")) return "NULL";
  using F = metadata::TypeFamily;
  switch (c.family) {
    case F::Integer:
    case F::Decimal:
    case F::Float:
    case F::Year:
    case F::Date:
    case F::DateTime:
    case F::Time:
      return "0";
    default:
      return "''";
  }
}

// The same from a result set's column definition, which does not tell the default: a nullable
// column is taken to default to NULL.
std::string zeroOf(const protocol::ColumnDefinition& c) {
  if (!(c.flags & protocol::colflag::kNotNull)) return "NULL";
  using T = protocol::ColumnType;
  switch (c.type) {
    case T::kTiny:
    case T::kShort:
    case T::kLong:
    case T::kLongLong:
    case T::kInt24:
    case T::kFloat:
    case T::kDouble:
    case T::kDecimal:
    case T::kNewDecimal:
    case T::kYear:
    case T::kDate:
    case T::kNewDate:
    case T::kDatetime:
    case T::kDatetime2:
    case T::kTimestamp2:
    case T::kTime2:
    case T::kTimestamp:
    case T::kTime:
      return "0";
    default:
      return "''";
  }
}

bool validCharsetName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

LoadData::LoadData(ShardSession& session, ResultSink& sink) : session_(session), sink_(sink) {}

LoadData::~LoadData() = default;

awaitable<Status> LoadData::prepare(const ast::Statement& s) {
  const parser::LexMode mode = session_.variables.lexMode();
  auto parsed = parser::parseLoadData(s.sql, mode);
  if (!parsed) co_return parsed.status();
  options_ = std::move(*parsed);
  if (options_.xml) co_return unsupported("LOAD XML LOCAL INFILE");
  for (const auto& c : options_.columns) {
    if (c.variable) {
      co_return unsupported("LOAD DATA LOCAL INFILE into user variables (" + c.name +
                            "): name the table's columns");
    }
  }
  if (options_.hasSet) {
    co_return unsupported("LOAD DATA LOCAL INFILE with SET (load into the columns themselves)");
  }
  if (options_.partition) co_return unsupported("LOAD DATA LOCAL INFILE ... PARTITION");
  format_.fieldsTerminatedBy = options_.fieldsTerminatedBy;
  format_.enclosedBy = options_.enclosedBy;
  format_.escapedBy = options_.escapedBy;
  format_.linesStartingBy = options_.linesStartingBy;
  format_.linesTerminatedBy = options_.linesTerminatedBy;
  if (Status st = LoadDataSplitter::check(format_); !st) co_return st;
  if (!options_.charset.empty() && !validCharsetName(options_.charset)) {
    co_return Status(1115, "42000", "Unknown character set: '" + options_.charset + "'");
  }
  noBackslashEscapes_ = mode.noBackslashEscapes();
  rules_ = session_.activeRules();
  if (!rules_) {
    auto target = session_.route();
    if (!target) co_return target.status();
    passThrough_ = *target;
    db_ = target->database;
  } else {
    const std::string& database = session_.database;
    db_ = session_.topology().findDatabase(database);
    if (!db_) co_return unknownDatabase(database);
    const config::DataSource* fallback = db_->defaultDataSource();
    locations_ = session_.services().tables.locations(database);
    schema_ = session_.services().schemas.database(database);
    router_ = std::make_unique<router::Router>(*rules_, *locations_,
                                               fallback ? fallback->name : std::string());
    routeOptions_.database = database;
    routeOptions_.schema = schema_.get();
    routeOptions_.normalizeStrings = session_.topology().props.proxyNormalizeShardingStrings;
  }
  if (Status st = co_await loadColumns(); !st) co_return st;
  // Strict mode decides what a short or long line is (with REPLACE); the backends' value when
  // the session has not set its own.
  std::string sqlMode = session_.variables.value("sql_mode");
  if (sqlMode.empty()) {
    std::optional<Target> any = passThrough_;
    if (!any && !rules_->dataSourceNames().empty()) {
      auto t = session_.targetFor(*db_, rules_->dataSourceNames().front());
      if (!t) co_return t.status();
      any = *t;
    }
    if (any) {
      Engine engine(session_, sink_);
      auto rows = co_await engine.fetch(*any, "SELECT @@SESSION.sql_mode");
      if (!rows) co_return logicalError(rows.status(), *db_, rules_);
      if (!rows->rows.empty() && !rows->rows.front().empty() && rows->rows.front().front()) {
        sqlMode = *rows->rows.front().front();
      }
    }
  }
  strict_ = sqlMode.find("STRICT_TRANS_TABLES") != std::string::npos ||
            sqlMode.find("STRICT_ALL_TABLES") != std::string::npos;
  if (!rules_) co_return Status::ok();

  // The one-row INSERT each row is routed as.
  std::string sql =
      "INSERT INTO " + quoteIdentifier(options_.table) + " (" + columnList_ + ") VALUES (";
  for (size_t i = 0; i < columns_.size(); ++i) sql += i == 0 ? "?" : ", ?";
  sql += ")";
  auto parsedTemplate = ast::parseAst(sql, mode);
  if (!parsedTemplate) co_return parsedTemplate.status();
  template_ = std::move(*parsedTemplate);
  sharded_ = rules_->findTableRule(options_.table) != nullptr;
  if (!sharded_) {
    // Broadcast and single tables go to the same place whatever the row holds.
    routeOptions_.parameters.assign(columns_.size(), router::Value::ofString(""));
    auto route = router_->route(*template_, routeOptions_);
    if (!route) co_return route.status();
    fixedRoute_ = std::move(*route);
  }
  co_return Status::ok();
}

awaitable<Status> LoadData::loadColumns() {
  const metadata::TableSchema* table = nullptr;
  if (schema_) {
    auto it = schema_->find(lower(options_.table));
    if (it != schema_->end()) table = it->second.get();
  }
  if (table) {
    if (options_.columns.empty()) {
      for (const metadata::ColumnSchema& c : table->columns) {
        columns_.push_back({c.name, zeroOf(c), true});
      }
    } else {
      for (const auto& c : options_.columns) {
        const metadata::ColumnSchema* known = table->column(c.name);
        // Said before the file is sent, as MySQL does.
        if (!known)
          co_return Status(1054, "42S22", "Unknown column '" + c.name + "' in 'field list'");
        columns_.push_back({c.name, zeroOf(*known), true});
      }
    }
  } else if (passThrough_) {
    // The backend describes the columns (and says now when the table or a column is unknown,
    // before the file is sent, as MySQL does).
    std::string list = "*";
    if (!options_.columns.empty()) {
      list.clear();
      for (const auto& c : options_.columns) {
        if (!list.empty()) list += ", ";
        list += quoteIdentifier(c.name);
      }
    }
    Engine engine(session_, sink_);
    auto rows = co_await engine.fetch(
        *passThrough_, "SELECT " + list + " FROM " + options_.tableText + " LIMIT 0");
    if (!rows) co_return logicalError(rows.status(), *db_, nullptr);
    for (const protocol::ColumnDefinition& c : rows->columns) {
      columns_.push_back({c.name, zeroOf(c)});
    }
  } else if (!options_.columns.empty()) {
    for (const auto& c : options_.columns) columns_.push_back({c.name, "NULL"});
  } else if (!rules_->findTableRule(options_.table) && !rules_->isBroadcast(options_.table) &&
             !locations_->count(lower(options_.table))) {
    co_return Status(1146, "42S02",
                     "Table '" + db_->name + "." + options_.table + "' doesn't exist");
  } else {
    co_return unsupported("LOAD DATA LOCAL INFILE into table '" + options_.table +
                          "' without a column list: its columns are not known (name the "
                          "columns)");
  }
  for (const Column& c : columns_) {
    if (!columnList_.empty()) columnList_ += ", ";
    columnList_ += quoteIdentifier(c.name);
  }
  co_return Status::ok();
}

std::string LoadData::literal(const LoadDataField& field) const {
  if (field.null) return "NULL";
  std::string out;
  if (!options_.charset.empty()) out = "_" + options_.charset;
  out += quoteString(field.text, noBackslashEscapes_);
  return out;
}

LoadData::Batch& LoadData::batchFor(const std::string& dataSource, const std::string& table,
                                    bool counted, const std::string* keyColumn) {
  std::string key = dataSource + '\0' + table;
  auto it = batches_.find(key);
  if (it != batches_.end()) return it->second;
  Batch& b = batches_[key];
  b.dataSource = dataSource;
  b.counted = counted;
  b.prefix = options_.duplicates == Duplicates::kReplace ? "REPLACE INTO " : "INSERT IGNORE INTO ";
  b.prefix += passThrough_ ? options_.tableText : quoteIdentifier(table);
  b.prefix += " (" + columnList_;
  if (keyColumn) b.prefix += ", " + quoteIdentifier(*keyColumn);
  b.prefix += ") VALUES ";
  return b;
}

awaitable<Status> LoadData::add(const LoadDataRow& row, uint64_t rowNumber) {
  ++records_;
  const bool replace = options_.duplicates == Duplicates::kReplace;
  // With LOCAL, MySQL reads the file as with IGNORE (it cannot stop the client mid-file) unless
  // REPLACE is given: then strict mode makes these warnings errors.
  if (row.fields.size() < columns_.size()) {
    if (strict_ && replace) {
      co_return Status(
          1261, "01000",
          "Row " + std::to_string(rowNumber) + " doesn't contain data for all columns");
    }
    warnings_ += columns_.size() - row.fields.size();
  }
  if (row.cut) {
    if (strict_ && replace) {
      co_return Status(1262, "01000",
                       "Row " + std::to_string(rowNumber) +
                           " was truncated; it contained more data than there were input columns");
    }
    ++warnings_;
  }
  std::string tuple = "(";
  std::vector<router::Value> params;
  if (sharded_) params.reserve(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) tuple += ", ";
    if (i < row.fields.size()) {
      const LoadDataField& f = row.fields[i];
      tuple += literal(f);
      if (sharded_) {
        if (f.null) {
          params.push_back(router::Value::null());
        } else if (auto number =
                       columns_[i].typed ? std::nullopt : router::Value::ofNumberText(f.text)) {
          params.push_back(std::move(*number));
        } else {
          params.push_back(router::Value::ofString(f.text));
        }
      }
    } else {
      tuple += columns_[i].zero;
      if (sharded_) {
        const std::string& zero = columns_[i].zero;
        params.push_back(zero == "0"      ? router::Value::ofInteger(0)
                         : zero == "NULL" ? router::Value::null()
                                          : router::Value::ofString(""));
      }
    }
  }
  const router::RouteResult* route = nullptr;
  std::optional<router::RouteResult> routed;
  if (passThrough_) {
    // One batch, on the database's data source.
  } else if (sharded_) {
    routeOptions_.parameters = std::move(params);
    auto r = router_->route(*template_, routeOptions_);
    if (!r) co_return r.status();
    routed = std::move(*r);
    route = &*routed;
  } else {
    route = &*fixedRoute_;
  }
  const std::string* keyColumn = nullptr;
  if (route && route->generatedKeys && !route->generatedKeys->values.empty()) {
    const router::Value& key = route->generatedKeys->values.front();
    keyColumn = &route->generatedKeys->column;
    tuple += ", ";
    if (key.isIntegral()) {
      tuple += std::to_string(key.integer);
      if (!firstKey_) firstKey_ = static_cast<uint64_t>(key.integer);
    } else {
      tuple += quoteString(key.toString(), noBackslashEscapes_);
    }
  }
  tuple += ")";

  // True when the batch is full, or all batches together hold too much (a table with many
  // actual tables).
  auto append = [&](Batch& b) -> bool {
    const size_t before = b.values.size();
    if (b.values.empty()) {
      b.values = b.prefix;
    } else {
      b.values += ", ";
    }
    b.values += tuple;
    ++b.rows;
    buffered_ += b.values.size() - before;
    return b.values.size() >= kBatchBytes || buffered_ >= kMaxBufferedBytes;
  };
  if (passThrough_) {
    Batch& b = batchFor(passThrough_->dataSource->name, options_.table, true, nullptr);
    if (append(b)) co_return co_await flushRound(0);
    co_return Status::ok();
  }
  for (size_t i = 0; i < route->units.size(); ++i) {
    const router::RouteUnit& unit = route->units[i];
    const std::string& table =
        unit.tables.empty() ? options_.table : unit.tables.front().actualTable;
    // Copies of a broadcast table are one table to the client: one copy's rows count.
    bool counted = route->kind != router::RouteResult::Kind::Broadcast || i == 0;
    Batch& b = batchFor(unit.dataSource, table, counted, keyColumn);
    if (append(b)) {
      // Past the total, every batch goes.
      size_t atLeast = buffered_ >= kMaxBufferedBytes ? 0 : kBatchBytes / 2;
      if (Status st = co_await flushRound(atLeast); !st) co_return st;
    }
  }
  co_return Status::ok();
}

awaitable<Status> LoadData::flush(Batch& batch) {
  if (batch.rows == 0) co_return Status::ok();
  std::string sql = std::move(batch.values);
  buffered_ -= sql.size();
  batch.values.clear();
  batch.rows = 0;
  Target target;
  if (passThrough_) {
    target = *passThrough_;
  } else {
    auto t = session_.targetFor(*db_, batch.dataSource);
    if (!t) co_return t.status();
    target = *t;
  }
  auto held = co_await session_.acquire(target);
  if (!held) co_return held.status();
  ShardConnection& conn = *held->conn;
  session_.logSql(target.dataSource->name, sql);
  session_.running(target, conn);
  Status st = co_await conn.query(sql);
  while (st) {
    if (conn.fieldCount() > 0) {
      st = co_await conn.drain();
      break;
    }
    OkInfo ok = conn.okInfo();
    if (batch.counted) {
      affected_ += ok.affectedRows;
      warnings_ += ok.warnings;
      if (!firstKey_ && ok.lastInsertId != 0) firstKey_ = ok.lastInsertId;
    }
    if (!conn.moreResults()) break;
    st = co_await conn.nextResult();
  }
  session_.finish(target, std::move(*held), false);
  if (!st) co_return logicalError(st, *target.database, rules_);
  co_return Status::ok();
}

awaitable<void> LoadData::flushLane(const std::vector<Batch*>& batches, Status& result) {
  for (Batch* b : batches) {
    result = co_await flush(*b);
    if (!result) co_return;
  }
}

awaitable<Status> LoadData::flushRound(size_t atLeast) {
  // The data sources work at once, each on its batches in turn (one connection per data source:
  // in the transaction each has one). Rows spread evenly fill every batch at about the same
  // pace, so when one is full the others are close: all that are at least half full go.
  std::map<std::string, std::vector<Batch*>> byDataSource;
  for (auto& [key, batch] : batches_) {
    if (batch.rows > 0 && batch.values.size() >= atLeast) {
      byDataSource[batch.dataSource].push_back(&batch);
    }
  }
  if (byDataSource.empty()) co_return Status::ok();
  std::vector<std::vector<Batch*>*> lanes;
  for (auto& [ds, batches] : byDataSource) lanes.push_back(&batches);
  std::vector<Status> results(lanes.size(), Status::ok());
  co_await runAll(co_await asio::this_coro::executor, lanes.size(),
                  [&](size_t i) { return flushLane(*lanes[i], results[i]); });
  // (Only now: until every lane is done, a KILL must reach each of them.)
  session_.notRunning();
  for (const Status& st : results) {
    if (!st) co_return st;
  }
  co_return Status::ok();
}

awaitable<Status> LoadData::run(LocalFile& file) {
  // The load is one statement: without a transaction, its own (every shard commits or none);
  // with autocommit off in XA mode, the XA transaction that statement begins.
  txn::Transaction& txn = session_.transaction();
  const bool own = !session_.transactional();
  bool savepoint = false;
  if (own) {
    session_.beginTransaction("BEGIN", false);
  } else {
    // With autocommit off the load begins the transaction (XA when that is the type), so that
    // a savepoint reaches every participant it adds.
    if (!txn.open()) session_.beginImplicitTransaction();
    // In a transaction a failed statement is undone alone, as the server undoes its own: the
    // load rolls back to a savepoint set before it (participants that join later get it too).
    Status set = co_await session_.savepoint(txn::SavepointOp::Set, kSavepoint);
    savepoint = set.isOk();
    if (!savepoint) {
      spdlog::debug("LOAD DATA LOCAL without a statement savepoint: {}", set.message());
    }
  }
  LoadDataSplitter splitter(format_, columns_.size(), options_.ignoreLines);
  Status failure = Status::ok();
  bool clientGone = false;
  uint64_t rowNumber = 0;
  LoadDataRow row;
  for (bool end = false; !end;) {
    auto piece = co_await file.read();
    if (!piece) {
      failure = piece.status();
      clientGone = true;
      break;
    }
    end = piece->empty();
    // After an error the rest of the file is read and dropped.
    if (!failure) continue;
    if (end) {
      splitter.finish();
    } else {
      splitter.feed(*piece);
    }
    while (failure && splitter.next(row) == LoadDataSplitter::Next::kRow) {
      failure = co_await add(row, ++rowNumber);
    }
  }
  if (failure) failure = co_await flushRound(0);
  batches_.clear();
  if (own) {
    Status ended = co_await session_.endTransaction(failure.isOk());
    if (failure && !ended) failure = ended;
  } else if (savepoint) {
    if (!failure && !clientGone) {
      Status undone = co_await session_.savepoint(txn::SavepointOp::RollbackTo, kSavepoint);
      if (!undone)
        spdlog::warn("LOAD DATA LOCAL: rolling back to its savepoint: {}", undone.message());
    }
    (co_await session_.savepoint(txn::SavepointOp::Release, kSavepoint)).ignoreError();
  }
  if (clientGone) co_return failure;
  if (!failure) {
    sink_.error(failure);
    co_return Status::ok();
  }
  const bool replace = options_.duplicates == Duplicates::kReplace;
  uint64_t deleted = replace && affected_ > records_ ? affected_ - records_ : 0;
  uint64_t skipped = !replace && records_ > affected_ ? records_ - affected_ : 0;
  std::string info =
      "Records: " + std::to_string(records_) + "  Deleted: " + std::to_string(deleted) +
      "  Skipped: " + std::to_string(skipped) + "  Warnings: " + std::to_string(warnings_);
  sink_.ok(protocol::OkPacket{affected_, firstKey_.value_or(0), session_.statusFlags(),
                              static_cast<uint16_t>(std::min<uint64_t>(warnings_, 0xffff)),
                              std::move(info)});
  co_return Status::ok();
}

}  // namespace shardproxy::executor
