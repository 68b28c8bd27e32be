#include "frontend/statement_facts.h"

#include <strings.h>

#include <cctype>
#include <vector>

#include "frontend/session_state.h"
#include "parser/normalizer.h"

namespace shardproxy::frontend {

namespace ast = parser::ast;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A call of `name` with no arguments, not a window function.
bool isNiladicCall(const ast::Expr& e, std::string_view name) {
  return e.kind == ast::ExprKind::Function && e.args.empty() && !e.star && !e.over &&
         iequals(e.name, name);
}

}  // namespace

bool leavesConnectionState(const ast::Statement& s) {
  if (s.usesUserVariables) return true;
  switch (s.kind) {
    case ast::StatementKind::Prepare:
    case ast::StatementKind::Execute:
    case ast::StatementKind::Deallocate:
    case ast::StatementKind::Handler:
      return true;
    case ast::StatementKind::Tcl:
      if (s.tclKind == ast::TclKind::LockTables || s.tclKind == ast::TclKind::SetTransaction) {
        return true;
      }
      break;
    case ast::StatementKind::Ddl:
      if (s.ddl.temporary) return true;
      break;
    case ast::StatementKind::Set:
      for (const ast::SetItem& item : s.set.items) {
        // The proxy relies on session tracking to follow the session's variables.
        if (item.kind == ast::SetItem::Kind::Variable &&
            strncasecmp(item.name.value.c_str(), "session_track", 13) == 0) {
          return true;
        }
      }
      break;
    default:
      break;
  }
  // Advisory locks belong to the connection that took them.
  for (const ast::Expr& e : s.exprs) {
    if (e.kind == ast::ExprKind::Function && iequals(e.name, "GET_LOCK")) return true;
  }
  return false;
}

bool setsOnlySessionVariables(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Set || !s.set.forStatement.empty()) return false;
  for (const ast::SetItem& item : s.set.items) {
    switch (item.kind) {
      case ast::SetItem::Kind::Names:
      case ast::SetItem::Kind::CharacterSet:
        break;
      case ast::SetItem::Kind::Variable:
        if (item.scope != ast::VariableScope::Session) return false;
        break;
      case ast::SetItem::Kind::Password:
        return false;
    }
  }
  return true;
}

std::optional<std::string> selectDatabaseColumn(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Select) return std::nullopt;
  const ast::Select& q = s.query(s.select);
  if (q.kind != ast::Select::Kind::Query || q.items.size() != 1 || !q.from.empty() ||
      q.where != ast::kNone || !q.groupBy.empty() || q.having != ast::kNone || !q.orderBy.empty() ||
      q.limit.present() || q.lock != ast::LockKind::None || !q.with.empty() ||
      s.usesUserVariables) {
    return std::nullopt;
  }
  const ast::SelectItem& item = q.items[0];
  if (item.kind != ast::SelectItem::Kind::Expr) return std::nullopt;
  const ast::Expr& e = s.expr(item.expr);
  if (!isNiladicCall(e, "DATABASE") && !isNiladicCall(e, "SCHEMA")) return std::nullopt;
  if (!item.alias.empty()) return item.alias.value;
  return std::string(s.text(e.span));
}

std::vector<rewriter::TextSplice> sessionFunctionSplices(const ast::Statement& s,
                                                         std::string_view logicalDatabase,
                                                         uint32_t connectionId,
                                                         bool noBackslashEscapes) {
  std::vector<rewriter::TextSplice> out;
  if (s.kind != ast::StatementKind::Select) return out;
  const ast::Select& q = s.query(s.select);
  if (q.kind != ast::Select::Kind::Query) return out;
  for (const ast::SelectItem& item : q.items) {
    if (item.kind != ast::SelectItem::Kind::Expr) continue;
    const ast::Expr& e = s.expr(item.expr);
    std::string value;
    // IF keeps the function's type, length and nullability in the column metadata.
    if ((isNiladicCall(e, "DATABASE") || isNiladicCall(e, "SCHEMA")) && !logicalDatabase.empty()) {
      value = "IF(1, " + quoteString(logicalDatabase, noBackslashEscapes) + ", DATABASE())";
    } else if (isNiladicCall(e, "CONNECTION_ID")) {
      value = "IF(1, " + std::to_string(connectionId) + ", CONNECTION_ID())";
    } else {
      continue;
    }
    ast::Span replaced = e.span;
    if (item.alias.empty()) {
      // The whole item is replaced and the column keeps the name the client wrote.
      replaced = item.span;
      value += " AS " + quoteIdentifier(s.text(item.span));
    }
    out.push_back({replaced.begin, replaced.end, std::move(value)});
  }
  return out;
}

std::optional<std::string> substituteSessionFunctions(const ast::Statement& s,
                                                      std::string_view logicalDatabase,
                                                      uint32_t connectionId,
                                                      bool noBackslashEscapes) {
  auto splices = sessionFunctionSplices(s, logicalDatabase, connectionId, noBackslashEscapes);
  if (splices.empty()) return std::nullopt;
  std::string out;
  size_t pos = 0;
  for (const rewriter::TextSplice& r : splices) {
    out.append(s.sql, pos, r.begin - pos);
    out += r.text;
    pos = r.end;
  }
  out.append(s.sql, pos);
  return out;
}

std::optional<std::string_view> previewTarget(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  constexpr std::string_view kKeyword = "PREVIEW";
  if (sql.size() - i <= kKeyword.size() || !iequals(sql.substr(i, kKeyword.size()), kKeyword) ||
      !std::isspace(static_cast<unsigned char>(sql[i + kKeyword.size()]))) {
    return std::nullopt;
  }
  return sql.substr(i + kKeyword.size() + 1);
}

std::optional<DistVariableStatement> distVariable(std::string_view sql) {
  // Every statement comes through here: only SET and SHOW are tokenized.
  size_t start = 0;
  while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start]))) ++start;
  std::string_view head = sql.substr(start, 4);
  if (!iequals(head.substr(0, 3), "SET") && !iequals(head, "SHOW")) return std::nullopt;
  std::vector<std::pair<uint32_t, uint32_t>> bounds;
  if (!parser::tokenBounds(sql, bounds)) return std::nullopt;
  std::vector<std::string_view> t;
  for (const auto& [b, e] : bounds) t.push_back(sql.substr(b, e - b));
  if (!t.empty() && t.back() == ";") t.pop_back();
  auto word = [&](size_t i, std::string_view w) { return i < t.size() && iequals(t[i], w); };
  auto unquote = [](std::string_view v) {
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"' || v.front() == '`') &&
        v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    return std::string(v);
  };
  auto lower = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  DistVariableStatement out;
  size_t i = 0;
  if (word(0, "SET")) {
    out.set = true;
  } else if (!word(0, "SHOW")) {
    return std::nullopt;
  }
  i = 1;
  if (word(i, "DIST")) {
    out.dist = true;
    ++i;
  }
  if (!out.set && out.dist && word(i, "VARIABLES") && i + 1 == t.size()) return out;
  if (!word(i, "VARIABLE")) return std::nullopt;
  ++i;
  if (out.set) {
    if (i + 3 != t.size() || t[i + 1] != "=") return std::nullopt;
    out.name = lower(unquote(t[i]));
    out.value = unquote(t[i + 2]);
    return out;
  }
  if (out.dist && word(i, "WHERE") && word(i + 1, "NAME") && i + 4 == t.size() && t[i + 2] == "=") {
    out.name = lower(unquote(t[i + 3]));
    return out;
  }
  if (i + 1 != t.size()) return std::nullopt;
  out.name = lower(unquote(t[i]));
  return out;
}

}  // namespace shardproxy::frontend
