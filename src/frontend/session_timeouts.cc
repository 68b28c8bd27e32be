// Session, time: the client connection's timeouts (MySQL's wait_timeout, interactive_timeout,
// net_read_timeout, net_write_timeout) and statements' time limits (MariaDB's
// max_statement_time, MySQL's max_execution_time and its optimizer hint), with the SET of the
// variables the proxy keeps for itself.
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/log.h"
#include "frontend/session.h"
#include "parser/normalizer.h"
#include "protocol/constants.h"

namespace shardproxy::frontend {

namespace ast = parser::ast;
using Clock = std::chrono::steady_clock;

namespace {

// MariaDB's ER_STATEMENT_TIMEOUT and MySQL's ER_QUERY_TIMEOUT (the proxy answers each limit with
// the error of the server that has it).
constexpr uint16_t kErStatementTimeout = 1969;
constexpr uint16_t kErQueryTimeout = 3024;
constexpr uint16_t kErWrongTypeForVar = 1232;

Status limitError(bool statementTime) {
  if (statementTime) {
    return Status(kErStatementTimeout, "70100",
                  "Query execution was interrupted (max_statement_time exceeded)");
  }
  return Status(kErQueryTimeout, "HY000",
                "Query execution was interrupted, maximum statement execution time exceeded");
}

// The value of `item` for the proxy's variable `v`: an integer (clamped to the variable's range,
// as MySQL does with a warning) or DEFAULT (the global value).
Result<int64_t> assignedValue(const ast::Statement& s, const ast::SetItem& item,
                              const executor::ProxyVariable& v, int64_t globalValue) {
  const std::string name(v.name);
  if (item.value == ast::kNone) {
    return Status(kErWrongTypeForVar, "42000",
                  "Incorrect argument type to variable '" + name + "'");
  }
  const ast::Expr* e = &s.expr(item.value);
  if (e->kind == ast::ExprKind::Default) return globalValue;
  bool negative = false;
  if (e->kind == ast::ExprKind::UnaryOp && e->args.size() == 1 &&
      (e->unaryOp == ast::UnaryOperator::Minus || e->unaryOp == ast::UnaryOperator::Plus)) {
    negative = e->unaryOp == ast::UnaryOperator::Minus;
    e = &s.expr(e->args[0]);
  }
  if (e->kind != ast::ExprKind::Literal) {
    return Status(er::kNotSupportedYet, "42000",
                  "unsupported: SET " + name + " takes an integer or DEFAULT");
  }
  if (e->literalType != ast::LiteralType::Integer) {
    return Status(kErWrongTypeForVar, "42000",
                  "Incorrect argument type to variable '" + name + "'");
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(e->value.data(), e->value.data() + e->value.size(), magnitude);
  if (ec == std::errc::result_out_of_range) magnitude = UINT64_MAX;
  if (negative) return v.min;
  return static_cast<int64_t>(
      std::clamp<uint64_t>(magnitude, static_cast<uint64_t>(v.min), static_cast<uint64_t>(v.max)));
}

bool tokenIs(std::string_view sql, std::pair<uint32_t, uint32_t> token, std::string_view word) {
  return token.second - token.first == word.size() &&
         ::strncasecmp(sql.data() + token.first, word.data(), word.size()) == 0;
}

// MAX_EXECUTION_TIME(N) in an optimizer hint right after the statement's SELECT, in
// milliseconds (MySQL takes it only there, in the outermost query block).
std::optional<int64_t> executionTimeHint(const ast::Statement& s) {
  if (s.sql.find("/*+") == std::string::npos) return std::nullopt;
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  std::string_view sql(s.sql);
  if (!parser::tokenBounds(sql, tokens)) return std::nullopt;
  auto it = std::find_if(tokens.begin(), tokens.end(),
                         [&](const auto& t) { return t.first >= s.span.begin; });
  if (it == tokens.end() || !tokenIs(sql, *it, "SELECT") || ++it == tokens.end()) {
    return std::nullopt;
  }
  std::string_view hint = sql.substr(it->first, it->second - it->first);
  if (hint.substr(0, 3) != "/*+") return std::nullopt;
  constexpr std::string_view kName = "MAX_EXECUTION_TIME";
  for (size_t at = 0; at + kName.size() <= hint.size(); ++at) {
    if (::strncasecmp(hint.data() + at, kName.data(), kName.size()) != 0) continue;
    size_t i = at + kName.size();
    while (i < hint.size() && std::isspace(static_cast<unsigned char>(hint[i]))) ++i;
    if (i >= hint.size() || hint[i] != '(') continue;
    ++i;
    while (i < hint.size() && std::isspace(static_cast<unsigned char>(hint[i]))) ++i;
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(hint.data() + i, hint.data() + hint.size(), ms);
    if (ec != std::errc()) continue;
    return ms;
  }
  return std::nullopt;
}

}  // namespace

void Session::initProxyVariables() {
  const config::Props& props = topology_->props;
  std::map<std::string, int64_t, std::less<>> defaults;
  for (std::string_view name : {"interactive_timeout", "max_execution_time", "net_read_timeout",
                                "net_write_timeout", "wait_timeout"}) {
    defaults.emplace(std::string(name), executor::proxyGlobalValue(props, name));
  }
  // As in MySQL, an interactive client's wait_timeout starts from interactive_timeout.
  if (capabilities_ & protocol::cap::kInteractive) {
    defaults["wait_timeout"] = props.proxyFrontendInteractiveTimeoutSeconds;
  }
  shard_.variables.setProxyDefaults(std::move(defaults));
}

Result<std::optional<Session::ProxyAssignments>> Session::proxyAssignments(
    const ast::Statement& s) const {
  if (!s.set.forStatement.empty()) return std::optional<ProxyAssignments>();
  ProxyAssignments out;
  std::vector<const ast::SetItem*> others;
  for (const ast::SetItem& item : s.set.items) {
    const executor::ProxyVariable* v =
        item.kind == ast::SetItem::Kind::Variable && item.scope != ast::VariableScope::User
            ? executor::proxyVariable(item.name.value)
            : nullptr;
    if (!v) {
      others.push_back(&item);
      continue;
    }
    if (item.scope != ast::VariableScope::Session) {
      return Status(er::kNotSupportedYet, "42000",
                    "unsupported: SET GLOBAL " + std::string(v->name) +
                        ": the proxy's global value is set in its props");
    }
    Result<int64_t> value =
        assignedValue(s, item, *v, executor::proxyGlobalValue(topology_->props, v->name));
    if (!value) return value.status();
    out.values.emplace_back(std::string(v->name), *value);
  }
  if (out.values.empty()) return std::optional<ProxyAssignments>();
  // The other items go to a backend as they were written (each item keeps its scope keyword).
  for (const ast::SetItem* item : others) {
    out.rest += out.rest.empty() ? "SET " : ", ";
    out.rest += s.text(item->span);
  }
  return std::optional<ProxyAssignments>(std::move(out));
}

void Session::applyProxyVariables(const ProxyAssignments& a) {
  for (const auto& [name, value] : a.values) shard_.variables.proxyValues[name] = value;
  // A shorter timeout applies from now on.
  checkTimeouts();
}

void Session::checkTimeouts() {
  if (timedOut_ || stopRequested_) return;
  const Clock::time_point now = Clock::now();
  auto seconds = [this](std::string_view name) {
    return std::chrono::seconds(shard_.variables.proxyValue(name));
  };
  const auto netRead = seconds("net_read_timeout");
  const auto netWrite = seconds("net_write_timeout");
  std::optional<Clock::time_point> due;
  std::string_view why = "Got timeout reading communication packets";
  if (io_.writing()) {
    due = io_.lastProgress() + netWrite;
    why = "Got timeout writing communication packets";
  } else if (idle_) {
    due = io_.midPacket() ? io_.lastProgress() + netRead : idleSince_ + seconds("wait_timeout");
  }
  if (due && *due <= now) {
    abortConnection(why);
    return;
  }
  // What the session waits for may change before `due` without a word to the watchdog (part of
  // a packet arrives, a result starts to be written): it looks again within the shorter net
  // timeout, so a stall is seen at most that much late.
  Clock::time_point next = now + std::min(netRead, netWrite);
  if (due && *due < next) next = *due;
  armWatchdog(next);
}

void Session::armWatchdog(Clock::time_point at) {
  watchdog_.expires_at(at);
  watchdog_.async_wait([self = self_](const boost::system::error_code& ec) {
    if (ec || !*self) return;
    (*self)->checkTimeouts();
  });
}

void Session::idleStarts() {
  idle_ = true;
  idleSince_ = Clock::now();
  const Clock::time_point due =
      idleSince_ + std::chrono::seconds(shard_.variables.proxyValue("wait_timeout"));
  if (watchdog_.expiry() > due) armWatchdog(due);
}

void Session::abortConnection(std::string_view why) {
  timedOut_ = true;
  stopRequested_ = true;
  // MariaDB's note (MySQL 8.0.24+ would first send error 4031; the proxy is a MariaDB server to
  // its clients, whose drivers expect the connection to just go).
  spdlog::warn("Aborted connection {} to db: '{}' user: '{}' host: '{}' ({})", connectionId_,
               shard_.database.empty() ? "unconnected" : shard_.database,
               shard_.user ? shard_.user->name : "unauthenticated", peerHost_, why);
  // A statement whose result the client stopped reading is stopped on its backends too; the
  // session's close then rolls back what is open and lets its connections go.
  shard_.killRunning();
  boost::system::error_code ec;
  socket_.cancel(ec);
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
}

void Session::startStatementTimer(const ast::Statement& s) {
  statementLimit_ = Limit::kNone;
  interruptedBy_ = Limit::kNone;
  // Never in the middle of a COMMIT or ROLLBACK, whose branches must all end the same way.
  if (s.kind == ast::StatementKind::Tcl) return;
  std::optional<std::chrono::microseconds> after;
  if (statementTimeFor_) {
    if (statementTimeFor_->count() > 0) {
      after = statementTimeFor_;
      statementLimit_ = Limit::kStatementTime;
    }
  } else if (std::string text = shard_.variables.value("max_statement_time"); !text.empty()) {
    double seconds = std::strtod(text.c_str(), nullptr);
    if (seconds > 0) {
      after = std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
      statementLimit_ = Limit::kStatementTime;
    }
  }
  if (s.kind == ast::StatementKind::Select) {
    int64_t ms = shard_.variables.proxyValue("max_execution_time");
    if (std::optional<int64_t> hint = executionTimeHint(s)) ms = *hint;
    if (ms > 0 && (!after || std::chrono::milliseconds(ms) < *after)) {
      after = std::chrono::milliseconds(ms);
      statementLimit_ = Limit::kExecutionTime;
    }
  }
  if (!after) return;
  const uint64_t serial = ++statementSerial_;
  statementTimer_.expires_after(*after);
  statementTimer_.async_wait([self = self_, serial](const boost::system::error_code& ec) {
    // (A timer that fired as its statement ended may still be queued: the serial tells.)
    if (ec || !*self || (*self)->statementSerial_ != serial) return;
    Session& session = **self;
    session.interruptedBy_ = session.statementLimit_;
    session.shard_.killRunning();
  });
}

std::optional<std::chrono::microseconds> Session::setStatementLimit(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Set || s.set.forStatement.empty() || s.set.items.size() != 1) {
    return std::nullopt;
  }
  const ast::SetItem& item = s.set.items.front();
  if (item.kind != ast::SetItem::Kind::Variable || item.scope != ast::VariableScope::Session ||
      ::strcasecmp(item.name.value.c_str(), "max_statement_time") != 0 ||
      item.value == ast::kNone) {
    return std::nullopt;
  }
  const ast::Expr& e = s.expr(item.value);
  if (e.kind != ast::ExprKind::Literal ||
      (e.literalType != ast::LiteralType::Integer && e.literalType != ast::LiteralType::Decimal)) {
    return std::nullopt;
  }
  // MariaDB's range: 0 (no limit) to a year, in microseconds.
  double seconds = std::clamp(std::strtod(e.value.c_str(), nullptr), 0.0, 31536000.0);
  return std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
}

void Session::stopStatementTimer() {
  if (statementLimit_ != Limit::kNone) {
    ++statementSerial_;
    statementTimer_.cancel();
  }
  statementLimit_ = Limit::kNone;
  interruptedBy_ = Limit::kNone;
}

Status Session::limitErrorFor(const Status& s) const {
  if (interruptedBy_ == Limit::kNone) return s;
  if (s.code() != er::kQueryInterrupted && s.code() != kErStatementTimeout) return s;
  return limitError(interruptedBy_ == Limit::kStatementTime);
}

}  // namespace shardproxy::frontend
