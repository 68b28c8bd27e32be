// Prepared statements: COM_STMT_PREPARE / EXECUTE / SEND_LONG_DATA / RESET / CLOSE / FETCH and
// SQL-level PREPARE / EXECUTE / DEALLOCATE PREPARE.
//
// A statement is checked at prepare time by a backend (it prepares the form the proxy would run
// there and describes its parameters and columns); each execution inlines the parameter values
// as literals and runs the text through handleQuery(), so routing, rewriting and merging work as
// for COM_QUERY and see the values. The binary protocol only changes how rows are written.
#include <strings.h>

#include <algorithm>

#include "common/log.h"
#include "common/sql_text.h"
#include "executor/engine.h"
#include "frontend/session.h"
#include "parser/normalizer.h"
#include "protocol/charset.h"
#include "protocol/stmt_commands.h"
#include "protocol/stmt_execute.h"
#include "protocol/stmt_prepare.h"

namespace shardproxy::frontend {

namespace ast = parser::ast;
namespace cap = protocol::cap;
namespace pstatus = protocol::status;

namespace {

constexpr uint16_t kErNeedReprepare = 1615;  // MySQL's ER_NEED_REPREPARE

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status unknownHandler(std::string_view handle, std::string_view command) {
  return Status(er::kUnknownStmtHandler, "HY000",
                "Unknown prepared statement handler (" + std::string(handle) + ") given to " +
                    std::string(command));
}

Status malformed() {
  return Status(er::kMalformedPacket, "HY000", "Malformed communication packet.");
}

Status wrongArguments(std::string_view command) {
  return Status(er::kWrongArguments, "HY000", "Incorrect arguments to " + std::string(command));
}

// The definition MySQL sends for each parameter after PREPARE_OK (the type is only known at
// execution).
protocol::ColumnDefinitionRef parameterDefinition() {
  protocol::ColumnDefinitionRef p;
  p.name = "?";
  p.type = protocol::ColumnType::kNull;
  p.collation = 63;  // binary
  p.flags = protocol::colflag::kBinary;
  return p;
}

// A user variable's value, as `SELECT @v` returned it, as a literal of the same type.
std::string variableLiteral(const protocol::ColumnDefinition& f,
                            const std::optional<std::string>& value, const LiteralStyle& style) {
  if (!value) return "NULL";
  std::string_view text(*value);
  protocol::ParamType type{protocol::ColumnType::kVarString, false};
  switch (f.type) {
    case protocol::ColumnType::kTiny:
    case protocol::ColumnType::kShort:
    case protocol::ColumnType::kLong:
    case protocol::ColumnType::kInt24:
    case protocol::ColumnType::kLongLong:
    case protocol::ColumnType::kNewDecimal:
    case protocol::ColumnType::kDecimal:
      return std::string(text);
    case protocol::ColumnType::kFloat:
    case protocol::ColumnType::kDouble:
      // The server's shortest text of the double; in exponent form it stays a DOUBLE.
      return text.find_first_of("eE") == std::string_view::npos ? std::string(text) + "e0"
                                                                : std::string(text);
    default:
      break;
  }
  if (f.collation == 63) type.type = protocol::ColumnType::kBlob;  // a binary string
  return longDataLiteral(type, text, style);
}

}  // namespace

LiteralStyle Session::literalStyle() const {
  LiteralStyle style;
  if (auto it = shard_.variables.values.find("character_set_client");
      it != shard_.variables.values.end()) {
    style.clientCharset = it->second;
  }
  // A value as the server reports it may be quoted ('utf8mb4').
  style.clientCharset.erase(
      std::remove(style.clientCharset.begin(), style.clientCharset.end(), '\''),
      style.clientCharset.end());
  if (style.clientCharset.empty()) {
    if (auto c = protocol::collationById(collation_)) style.clientCharset = std::string(c->charset);
  }
  style.backslashUnsafe = backslashUnsafeCharset(style.clientCharset);
  return style;
}

Status Session::preparedLimitReached() const {
  size_t limit = static_cast<size_t>(topology_->props.proxyFrontendMaxPreparedStatements);
  if (statements_.size() + namedStatements_.size() < limit) return Status::ok();
  return Status(er::kMaxPreparedStmtCount, "42000",
                "Can't create more than max_prepared_stmt_count statements (current value: " +
                    std::to_string(limit) + ")");
}

awaitable<Result<std::unique_ptr<PreparedStatement>>> Session::describeStatement(
    std::string_view sql) {
  auto ps = std::make_unique<PreparedStatement>();
  ps->sql = std::string(sql);
  ps->lexMode = shard_.variables.lexMode();
  if (auto markers = parameterMarkers(sql, ps->lexMode)) ps->markers = std::move(*markers);
  // The statement goes through the gate as it would when executed; nothing the grammar does
  // not take reaches a backend.
  Result<ast::Statement> text = co_await parse(sql, ps->lexMode);
  if (!text) co_return text.status();
  auto gated = gate(std::move(text.value()));
  if (!gated) co_return gated.status();
  const ast::Statement* parsed = &gated->statement;
  {
    ast::StatementKind kind = parsed->kind;
    if (kind == ast::StatementKind::Prepare || kind == ast::StatementKind::Execute ||
        kind == ast::StatementKind::Deallocate) {
      co_return Status(er::kUnsupportedPs, "HY000",
                       "This command is not supported in the prepared statement protocol yet");
    }
    ps->returnsRows = kind == ast::StatementKind::Select;
    ps->integerOnly.assign(ps->markers.size(), false);
    auto noteLimit = [&](const ast::Limit& limit) {
      for (ast::ExprId e : {limit.offset, limit.count}) {
        if (e == ast::kNone) continue;
        const ast::Expr& x = parsed->expr(e);
        if (x.kind == ast::ExprKind::ParameterMarker && x.paramIndex < ps->integerOnly.size()) {
          ps->integerOnly[x.paramIndex] = true;
        }
      }
    };
    for (const ast::Select& q : parsed->selects) noteLimit(q.limit);
    noteLimit(parsed->update.limit);
    noteLimit(parsed->del.limit);
  }

  // Described where it would run: its names' logical database.
  std::string previous = shard_.database;
  bool elsewhere = !gated->database.empty() && gated->database != shard_.database;
  if (elsewhere) shard_.database = gated->database;
  executor::Engine engine(shard_, *this);
  auto described = co_await engine.prepare(parsed, parsed->sql);
  if (elsewhere && shard_.database == gated->database) shard_.database = previous;
  if (!described) co_return described.status();
  if (!*described) co_return std::move(ps);
  if ((*described)->params != ps->markers.size()) {
    co_return Status(er::kUnsupportedPs, "HY000",
                     "unsupported: the proxy cannot place the parameter markers of this statement");
  }
  ps->columns = std::move((*described)->columns);
  co_return std::move(ps);
}

awaitable<void> Session::handleStmtPrepare(std::string_view sql) {
  if (topology_->props.sqlShow) spdlog::info("Logic SQL: PREPARE {}", sql);
  if (Status limit = preparedLimitReached(); !limit) {
    error(limit);
    co_return;
  }
  auto described = co_await describeStatement(sql);
  if (!described) {
    error(described.status());
    co_return;
  }
  std::unique_ptr<PreparedStatement> ps = std::move(described.value());
  ps->id = nextStatementId_++;
  ps->longData.resize(ps->markers.size());

  const bool eofs = !(capabilities_ & cap::kDeprecateEof);
  protocol::encodeStmtPrepareOk(
      io_.begin(), protocol::StmtPrepareOk{ps->id, static_cast<uint16_t>(ps->columns.size()),
                                           static_cast<uint16_t>(ps->markers.size()), 0});
  io_.end();
  if (!ps->markers.empty()) {
    for (size_t i = 0; i < ps->markers.size(); ++i) {
      protocol::encodeColumnDefinition(io_.begin(), parameterDefinition());
      io_.end();
    }
    if (eofs) {
      protocol::encodeEof(io_.begin(), protocol::EofPacket{0, shard_.statusFlags()});
      io_.end();
    }
  }
  if (!ps->columns.empty()) {
    for (const protocol::ColumnDefinition& c : ps->columns) {
      protocol::encodeColumnDefinition(io_.begin(), c);
      io_.end();
    }
    if (eofs) {
      protocol::encodeEof(io_.begin(), protocol::EofPacket{0, shard_.statusFlags()});
      io_.end();
    }
  }
  statements_[ps->id] = std::move(ps);
}

awaitable<void> Session::handleStmtExecute(const protocol::CommandPacket& c) {
  auto id = protocol::statementIdOf(c);
  if (!id) {
    error(malformed());
    co_return;
  }
  auto it = statements_.find(*id);
  if (it == statements_.end()) {
    error(unknownHandler(std::to_string(*id), "mysqld_stmt_execute"));
    co_return;
  }
  PreparedStatement& ps = *it->second;
  const size_t count = ps.markers.size();
  std::vector<bool> longData(count);
  for (size_t i = 0; i < count; ++i) longData[i] = ps.longData[i].has_value();
  auto exec = protocol::decodeStmtExecute(c, count, ps.types, longData);
  // Long data is for one execution, as in MySQL, whatever becomes of it.
  std::vector<std::optional<std::string>> sent(count);
  std::swap(sent, ps.longData);
  size_t sentBytes = std::exchange(ps.longDataBytes, 0);
  if (!exec) {
    error(wrongArguments("mysqld_stmt_execute"));
    co_return;
  }
  if (sentBytes > context_.options.maxAllowedPacket) {
    error(Status(er::kNetPacketTooLarge, "08S01",
                 "Parameter of prepared statement which is set through "
                 "mysql_send_long_data() is longer than 'max_allowed_packet' bytes"));
    co_return;
  }
  ps.types = exec->types;
  LiteralStyle style = literalStyle();
  std::vector<std::string> literals;
  literals.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (sent[i] && !exec->nulls[i]) {
      literals.push_back(longDataLiteral(exec->types[i], *sent[i], style));
      continue;
    }
    auto literal = parameterLiteral(exec->types[i], exec->params[i], style);
    if (!literal) {
      error(literal.status());
      co_return;
    }
    literals.push_back(std::move(*literal));
  }
  const bool cursor = (exec->flags & protocol::cursor::kReadOnly) && ps.returnsRows;
  result_.binary = true;
  co_await executePrepared(ps, literals, cursor);
  result_.binary = false;
}

awaitable<void> Session::executePrepared(PreparedStatement& ps,
                                         const std::vector<std::string>& literals, bool cursor) {
  // A new execution closes the statement's open cursor.
  ps.cursor.reset();
  // The text runs as it would be read now: if the session's sql_mode has since changed how it
  // reads (a "x" or a backslash), it would not be the statement that was prepared.
  if (parser::LexMode now = shard_.variables.lexMode();
      !(now == ps.lexMode) && !parser::lexesAlike(ps.sql, ps.lexMode, now)) {
    error(Status(kErNeedReprepare, "HY000", "Prepared statement needs to be re-prepared"));
    co_return;
  }
  std::string sql;
  if (std::find(ps.integerOnly.begin(), ps.integerOnly.end(), true) == ps.integerOnly.end()) {
    sql = bindParameters(ps.sql, ps.markers, literals);
  } else {
    std::vector<std::string> adjusted = literals;
    for (size_t i = 0; i < adjusted.size() && i < ps.integerOnly.size(); ++i) {
      if (ps.integerOnly[i]) adjusted[i] = integerLiteral(std::move(adjusted[i]));
    }
    sql = bindParameters(ps.sql, ps.markers, adjusted);
  }
  Capture capture;
  if (cursor) {
    capture.memory = std::make_unique<MemoryTracker>(topology_->props.proxyMergeMaxMemoryBytes,
                                                     shard_.services().memory.get());
    capture_ = &capture;
  }
  co_await runStatement(sql);
  capture_ = nullptr;
  if (!cursor || capture.failed) co_return;
  if (capture.tooLarge) {
    error(Status(er::kNotSupportedYet, "42000",
                 "unsupported: a cursor over more than " +
                     std::to_string(topology_->props.proxyMergeMaxMemoryRows) +
                     " rows (proxy-merge-max-memory-rows); fetch it without a cursor"));
    co_return;
  }
  if (!capture.memoryError) {
    error(capture.memoryError);
    co_return;
  }
  if (capture.header.empty()) co_return;  // no result set: its OK went out already
  for (const std::string& packet : capture.header) io_.write(packet);
  ps.cursor.emplace();
  ps.cursor->rows = std::move(capture.rows);
  ps.cursor->memory = std::move(capture.memory);
}

void Session::handleStmtFetch(const protocol::CommandPacket& c) {
  auto fetch = protocol::decodeStmtFetch(c);
  if (!fetch) {
    error(malformed());
    return;
  }
  auto it = statements_.find(fetch->statementId);
  if (it == statements_.end()) {
    error(unknownHandler(std::to_string(fetch->statementId), "mysqld_stmt_fetch"));
    return;
  }
  PreparedStatement& ps = *it->second;
  if (!ps.cursor) {
    error(Status(er::kStmtHasNoOpenCursor, "HY000",
                 "The statement (" + std::to_string(fetch->statementId) + ") has no open cursor."));
    return;
  }
  auto& rows = ps.cursor->rows;
  for (uint32_t n = 0; n < fetch->rows && !rows.empty(); ++n) {
    io_.write(rows.front());
    rows.pop_front();
  }
  uint16_t flags = shard_.statusFlags() | pstatus::kCursorExists;
  if (rows.empty()) {
    flags |= pstatus::kLastRowSent;
    ps.cursor.reset();
  }
  end(flags, 0);
}

void Session::handleStmtSendLongData(const protocol::CommandPacket& c) {
  // No answer, ever: a problem shows at the next execution.
  auto data = protocol::decodeStmtSendLongData(c);
  if (!data) return;
  auto it = statements_.find(data->statementId);
  if (it == statements_.end()) return;
  PreparedStatement& ps = *it->second;
  if (data->paramId >= ps.longData.size()) return;
  // Within max_allowed_packet the data is kept; beyond it only counted, and the execution fails.
  ps.longDataBytes += data->data.size();
  std::optional<std::string>& value = ps.longData[data->paramId];
  if (!value) value.emplace();
  if (ps.longDataBytes <= context_.options.maxAllowedPacket) value->append(data->data);
}

void Session::handleStmtClose(const protocol::CommandPacket& c) {
  if (auto id = protocol::decodeStmtClose(c)) statements_.erase(*id);
}

void Session::handleStmtReset(const protocol::CommandPacket& c) {
  auto id = protocol::decodeStmtReset(c);
  if (!id) {
    error(malformed());
    return;
  }
  auto it = statements_.find(*id);
  if (it == statements_.end()) {
    error(unknownHandler(std::to_string(*id), "mysqld_stmt_reset"));
    return;
  }
  PreparedStatement& ps = *it->second;
  for (auto& d : ps.longData) d.reset();
  ps.longDataBytes = 0;
  ps.cursor.reset();
  writeOk();
}

awaitable<Result<std::vector<Session::UserVariable>>> Session::readUserVariables(
    const std::vector<std::string>& names) {
  // User variables live on the backend connection that set them: where the session's other
  // statements go.
  auto target = shard_.route();
  if (!target) co_return target.status();
  std::string select = "SELECT ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) select += ", ";
    select += "@" + quoteIdentifier(names[i]);
  }
  executor::Engine engine(shard_, *this);
  auto read = co_await engine.fetch(*target, select);
  if (!read) co_return read.status();
  if (read->columns.size() != names.size() || read->rows.empty()) {
    co_return makeError(er::kUnknownError, "reading user variables failed");
  }
  LiteralStyle style = literalStyle();
  std::vector<UserVariable> values;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::optional<std::string>& value = read->rows.front()[i];
    values.push_back(UserVariable{variableLiteral(read->columns[i], value, style), value});
  }
  co_return values;
}

awaitable<void> Session::sqlPrepare(const ast::Statement& s) {
  const ast::PreparedStatementCommand& p = s.prepared;
  std::string name = lowerAscii(p.name.value);
  // Preparing under a name in use deallocates the old statement first, even if this one fails.
  namedStatements_.erase(name);
  std::string text;
  if (p.text != ast::kNone) {
    text = s.expr(p.text).value;
  } else {
    // PREPARE s FROM @v: the variable's text. MySQL prepares "NULL" for a NULL variable, which
    // is a syntax error.
    std::vector<std::string> names = {p.fromVariable.value};
    auto value = co_await readUserVariables(names);
    if (!value) {
      error(value.status());
      co_return;
    }
    text = value->front().text.value_or("NULL");
  }
  if (Status limit = preparedLimitReached(); !limit) {
    error(limit);
    co_return;
  }
  auto described = co_await describeStatement(text);
  if (!described) {
    error(described.status());
    co_return;
  }
  namedStatements_[name] = std::move(described.value());
  ok(protocol::OkPacket{0, 0, shard_.statusFlags(), 0, "Statement prepared"});
}

awaitable<void> Session::sqlExecute(const ast::Statement& s) {
  const ast::PreparedStatementCommand& p = s.prepared;
  auto it = namedStatements_.find(lowerAscii(p.name.value));
  if (it == namedStatements_.end()) {
    error(unknownHandler(p.name.value, "EXECUTE"));
    co_return;
  }
  PreparedStatement& ps = *it->second;
  if (p.usingVariables.size() != ps.markers.size()) {
    error(wrongArguments("EXECUTE"));
    co_return;
  }
  std::vector<std::string> names;
  for (const ast::Name& n : p.usingVariables) names.push_back(n.value);
  std::vector<std::string> literals;
  if (!names.empty()) {
    auto values = co_await readUserVariables(names);
    if (!values) {
      error(values.status());
      co_return;
    }
    for (UserVariable& v : *values) literals.push_back(std::move(v.literal));
  }
  co_await executePrepared(ps, literals, false);
}

void Session::sqlDeallocate(const ast::Statement& s) {
  const ast::PreparedStatementCommand& p = s.prepared;
  if (namedStatements_.erase(lowerAscii(p.name.value)) == 0) {
    error(unknownHandler(p.name.value, "DEALLOCATE PREPARE"));
    return;
  }
  writeOk();
}

}  // namespace shardproxy::frontend
