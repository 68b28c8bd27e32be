// SHOW GRANTS and SHOW CREATE DATABASE answered in the proxy's own terms: the grants of a proxy
// user as its authority rule gives them (never a data source account's, whose name and password
// hash a backend would show), and a logical database's CREATE statement under its logical name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/topology.h"
#include "parser/ast.h"
#include "parser/lex_mode.h"

namespace shardproxy::admin {

// SHOW GRANTS [FOR account]. `user` empty: the session's own account (no FOR, FOR CURRENT_USER,
// FOR CURRENT_USER()); else the account as written, unquoted, its host "%" when not written.
struct GrantsRequest {
  std::string user;
  std::string host;
};
// nullopt when `s` is another statement. (The statement model has no kind for it: its tokens,
// which the grammar has checked, tell.)
std::optional<GrantsRequest> grantsRequest(const parser::ast::Statement& s, parser::LexMode mode);

struct TextRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// MySQL's answer to SHOW GRANTS for the proxy user `current`: an admin has every privilege on
// every database (`GRANT ALL PRIVILEGES ON *.*`); any other user USAGE (or FILE, with the
// FILE privilege) on *.* and ALL PRIVILEGES on each logical database it may use, one line each,
// the name escaped as a grant of exactly that database is (`\_`). No password hash, as MySQL 8.
// Another account: for admins (1044 on `mysql` for others, as MySQL), 1141 when no proxy user
// is that account.
Result<TextRows> showGrants(const config::Topology& topology, const config::User& current,
                            const GrantsRequest& request);

// SHOW CREATE DATABASE | SCHEMA [IF NOT EXISTS] db: nullopt when `s` is another statement.
struct CreateDatabaseRequest {
  std::string database;  // as written, unquoted
  bool ifNotExists = false;
};
std::optional<CreateDatabaseRequest> createDatabaseRequest(const parser::ast::Statement& s,
                                                           parser::LexMode mode);

// A backend's `Create Database` text for its database `actual` (`CREATE DATABASE [/*!32312 IF
// NOT EXISTS*/] <actual, quoted> <options>`) with the logical name in its place, quoted alike;
// nullopt when the text does not have that form.
std::optional<std::string> logicalCreateDatabase(std::string_view backendText,
                                                 std::string_view actual, std::string_view logical);

}  // namespace shardproxy::admin
