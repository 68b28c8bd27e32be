// What the session needs to know of a statement besides where it goes, read from its AST.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"
#include "rewriter/rewriter.h"

namespace shardproxy::config {
struct Props;
}

namespace shardproxy::executor {

// SELECT, INSERT, REPLACE, UPDATE or DELETE: what sharding rules route by its conditions.
bool isDml(const parser::ast::Statement& s);

// The statement may leave state on its backend connection that the proxy cannot replay on
// another one: user variables, temporary tables, table and advisory locks, SQL-level prepared
// statements, HANDLER cursors, SET TRANSACTION (for the next transaction only, not reported by
// the server), or a change to session tracking itself. The client then keeps that connection.
bool leavesConnectionState(const parser::ast::Statement& s);

// A SET of session system variables only (NAMES and CHARACTER SET included): the server
// reports the new values and the proxy replays them on whatever connection serves the client
// next, so the connection need not be kept.
bool setsOnlySessionVariables(const parser::ast::Statement& s);

// A SET of the session's sql_mode (which changes how the session's statements are read).
bool setsSessionSqlMode(const parser::ast::Statement& s);

// `SELECT DATABASE()` or `SELECT SCHEMA()`, alone and from no table: the column's name (the
// alias, or the expression as written); nullopt for anything else.
std::optional<std::string> selectDatabaseColumn(const parser::ast::Statement& s);

// What the session functions answer through the proxy: the logical database, the proxy's
// connection id (the greeting's) and the proxy's user, never the data source's actual database,
// backend thread or backend account.
struct SessionIdentity {
  std::string_view database;  // empty when none is selected
  uint32_t connectionId = 0;
  std::string_view user;     // USER(), SESSION_USER(), SYSTEM_USER(): user@client host
  std::string_view account;  // CURRENT_USER(): user@host pattern of the proxy's account
  // The session's values of the proxy's own variables (SessionVariables::proxyValues), which
  // `@@name` and `@@session.name` read, and the props, whose values `@@global.name` reads; null:
  // none.
  const std::map<std::string, int64_t, std::less<>>* proxyVariables = nullptr;
  const config::Props* props = nullptr;
  // VERSION(), @@version and @@global.version: the proxy's version (empty: left to the backend).
  std::string_view serverVersion = {};
  // The statement reads the proxy's logical information_schema (admin/information_schema.h),
  // whose rows name logical databases: DATABASE() inside it is the logical one too.
  bool logicalCatalog = false;
};

// DATABASE() / SCHEMA() and CONNECTION_ID() items in the select list of a SELECT answer with the
// proxy's values, each item becoming an expression with the proxy's value that keeps the
// column's name. Elsewhere (WHERE on information_schema ...) the backend's values are what it
// needs, so they stay; DATABASE() is left alone when no database is selected (the backend has
// none either). USER(), CURRENT_USER(), SESSION_USER() and SYSTEM_USER() answer with the
// proxy's user wherever they stand, and the proxy's own session variables (`@@wait_timeout`)
// the proxy's values, and VERSION() / @@version the version the proxy greets with (as
// ShardingSphere-Proxy answers VERSION(): one server that names itself alike everywhere). The
// splices on the statement's text, for the rewriter to
// make in each route unit, in text order; nullopt / empty when nothing changes.
std::vector<rewriter::TextSplice> sessionFunctionSplices(const parser::ast::Statement& s,
                                                         const SessionIdentity& identity,
                                                         bool noBackslashEscapes);
std::optional<std::string> substituteSessionFunctions(const parser::ast::Statement& s,
                                                      const SessionIdentity& identity,
                                                      bool noBackslashEscapes);

}  // namespace shardproxy::executor
