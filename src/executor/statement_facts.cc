#include "executor/statement_facts.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/sql_text.h"
#include "executor/session_variables.h"
#include "parser/normalizer.h"

namespace shardproxy::executor {

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

bool isDml(const ast::Statement& s) {
  switch (s.kind) {
    case ast::StatementKind::Select:
    case ast::StatementKind::Insert:
    case ast::StatementKind::Replace:
    case ast::StatementKind::Update:
    case ast::StatementKind::Delete:
      return true;
    default:
      return false;
  }
}

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

bool setsSessionSqlMode(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Set) return false;
  for (const ast::SetItem& item : s.set.items) {
    if (item.kind == ast::SetItem::Kind::Variable && item.scope == ast::VariableScope::Session &&
        iequals(item.name.value, "sql_mode")) {
      return true;
    }
  }
  return false;
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

namespace {

bool isUserFunction(const ast::Expr& e) {
  return isNiladicCall(e, "USER") || isNiladicCall(e, "SESSION_USER") ||
         isNiladicCall(e, "SYSTEM_USER") || isNiladicCall(e, "CURRENT_USER");
}

// `@@name`, `@@session.name` or `@@local.name` of one of the proxy's own variables: the
// session's value; `@@global.name`: the props' value.
std::optional<int64_t> proxyVariableRead(const ast::Expr& e, const SessionIdentity& identity) {
  if (e.kind != ast::ExprKind::Variable || !e.systemVariable || !identity.proxyVariables) {
    return std::nullopt;
  }
  std::string_view name(e.name);
  if (name.rfind("@@", 0) != 0) return std::nullopt;
  name.remove_prefix(2);
  bool global = false;
  for (std::string_view scope : {"session.", "local.", "global."}) {
    if (name.size() > scope.size() && strncasecmp(name.data(), scope.data(), scope.size()) == 0) {
      name.remove_prefix(scope.size());
      global = scope == "global.";
    }
  }
  const ProxyVariable* v = proxyVariable(name);
  if (!v) return std::nullopt;
  if (global) {
    if (!identity.props) return std::nullopt;
    return proxyGlobalValue(*identity.props, v->name);
  }
  auto it = identity.proxyVariables->find(v->name);
  if (it == identity.proxyVariables->end()) return std::nullopt;
  return it->second;
}

// `@@version` or `@@global.version` (a global variable only: `@@session.version` is the
// server's error).
bool versionRead(const ast::Expr& e) {
  return e.kind == ast::ExprKind::Variable && e.systemVariable &&
         (strcasecmp(e.name.c_str(), "@@version") == 0 ||
          strcasecmp(e.name.c_str(), "@@global.version") == 0);
}

}  // namespace

std::vector<rewriter::TextSplice> sessionFunctionSplices(const ast::Statement& s,
                                                         const SessionIdentity& identity,
                                                         bool noBackslashEscapes) {
  std::vector<rewriter::TextSplice> out;
  auto userValue = [&](const ast::Expr& e) {
    return quoteString(isNiladicCall(e, "CURRENT_USER") ? identity.account : identity.user,
                       noBackslashEscapes);
  };
  std::vector<const ast::Expr*> items;  // select items the loop below replaces whole
  if (s.kind == ast::StatementKind::Select && s.query(s.select).kind == ast::Select::Kind::Query) {
    const ast::Select& q = s.query(s.select);
    for (const ast::SelectItem& item : q.items) {
      if (item.kind != ast::SelectItem::Kind::Expr) continue;
      const ast::Expr& e = s.expr(item.expr);
      std::string value;
      // IF keeps the function's type, length and nullability in the column metadata: the server
      // describes IF(1, v, F()) by both branches, so v must be of F()'s type (an integer
      // literal and CONNECTION_ID()'s INT UNSIGNED make a DECIMAL; CAST AS UNSIGNED does not).
      if ((isNiladicCall(e, "DATABASE") || isNiladicCall(e, "SCHEMA")) &&
          !identity.database.empty()) {
        value = "IF(1, " + quoteString(identity.database, noBackslashEscapes) + ", DATABASE())";
      } else if (isNiladicCall(e, "CONNECTION_ID")) {
        value = "IF(1, CAST(" + std::to_string(identity.connectionId) +
                " AS UNSIGNED), CONNECTION_ID())";
      } else if (isUserFunction(e) && !identity.user.empty()) {
        value = "IF(1, " + userValue(e) + ", USER())";
      } else if ((isNiladicCall(e, "VERSION") || versionRead(e)) &&
                 !identity.serverVersion.empty()) {
        // The other branch as written: @@version is nullable, VERSION() is not.
        value = "IF(1, " + quoteString(identity.serverVersion, noBackslashEscapes) + ", " +
                std::string(s.text(e.span)) + ")";
      } else {
        continue;
      }
      items.push_back(&e);
      ast::Span replaced = e.span;
      if (item.alias.empty()) {
        // The whole item is replaced and the column keeps the name the client wrote.
        replaced = item.span;
        value += " AS " + quoteIdentifier(s.text(item.span));
      }
      out.push_back({replaced.begin, replaced.end, std::move(value)});
    }
  }
  // Inside larger expressions: the value itself (`DATABASE() = 'shop'` must compare the logical
  // name, never the data source's actual database). Not where the statement reads the server's
  // own catalog, whose rows name the actual database (`table_schema = DATABASE()`), unless the
  // proxy answers it with logical names.
  bool readsCatalog =
      !identity.logicalCatalog &&
      std::any_of(s.tableRefs.begin(), s.tableRefs.end(), [](const ast::TableRef& r) {
        std::string schema = r.schema.value;
        for (char& c : schema) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return schema == "information_schema" || schema == "mysql" ||
               schema == "performance_schema" || schema == "sys";
      });
  // In a select item the value keeps the function's type and length (IF, as above), and an item
  // without an alias keeps the name the client wrote; elsewhere the value alone.
  std::vector<const ast::SelectItem*> selectItems;
  std::vector<const ast::SelectItem*> renamed;
  if (s.kind == ast::StatementKind::Select && s.query(s.select).kind == ast::Select::Kind::Query) {
    for (const ast::SelectItem& item : s.query(s.select).items) {
      if (item.kind == ast::SelectItem::Kind::Expr) selectItems.push_back(&item);
    }
  }
  bool more = false;
  for (const ast::Expr& e : s.exprs) {
    if (std::find(items.begin(), items.end(), &e) != items.end()) continue;
    std::string value, function;
    if (std::optional<int64_t> own = proxyVariableRead(e, identity)) {
      // BIGINT UNSIGNED, as the server types these variables.
      value = std::to_string(*own);
      function = "CAST(" + value + " AS UNSIGNED)";
    } else if (isUserFunction(e) && !identity.user.empty()) {
      value = userValue(e);
      function = "USER()";
    } else if ((isNiladicCall(e, "VERSION") || versionRead(e)) && !identity.serverVersion.empty()) {
      value = quoteString(identity.serverVersion, noBackslashEscapes);
      function = std::string(s.text(e.span));
    } else if ((isNiladicCall(e, "DATABASE") || isNiladicCall(e, "SCHEMA")) &&
               !identity.database.empty() && !readsCatalog) {
      value = quoteString(identity.database, noBackslashEscapes);
      function = "DATABASE()";
    } else {
      continue;
    }
    more = true;
    const ast::SelectItem* item = nullptr;
    for (const ast::SelectItem* i : selectItems) {
      if (i->span.begin <= e.span.begin && e.span.end <= i->span.end) item = i;
    }
    if (item) {
      value = function.rfind("CAST(", 0) == 0 ? function : "IF(1, " + value + ", " + function + ")";
    }
    out.push_back({e.span.begin, e.span.end, std::move(value)});
    if (item && item->alias.empty() &&
        std::find(renamed.begin(), renamed.end(), item) == renamed.end()) {
      renamed.push_back(item);
      out.push_back({item->span.end, item->span.end, " AS " + quoteIdentifier(s.text(item->span))});
    }
  }
  if (more) {
    std::stable_sort(out.begin(), out.end(),
                     [](const rewriter::TextSplice& a, const rewriter::TextSplice& b) {
                       return a.begin < b.begin;
                     });
  }
  return out;
}

std::optional<std::string> substituteSessionFunctions(const ast::Statement& s,
                                                      const SessionIdentity& identity,
                                                      bool noBackslashEscapes) {
  auto splices = sessionFunctionSplices(s, identity, noBackslashEscapes);
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

}  // namespace shardproxy::executor
