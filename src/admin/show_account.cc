#include "admin/show_account.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "admin/admin.h"
#include "common/sql_text.h"
#include "executor/result_sink.h"
#include "parser/normalizer.h"

namespace shardproxy::admin {

namespace ast = parser::ast;

namespace {

// The statement's tokens as text, in order; empty when it cannot be tokenized.
std::vector<std::string_view> tokensOf(const ast::Statement& s, parser::LexMode mode) {
  std::string_view text = s.text(s.span);
  std::vector<std::pair<uint32_t, uint32_t>> bounds;
  std::vector<std::string_view> out;
  if (!parser::tokenBounds(text, bounds, mode)) return out;
  for (auto [begin, end] : bounds) out.push_back(text.substr(begin, end - begin));
  return out;
}

bool is(std::string_view token, std::string_view word) {
  return token.size() == word.size() && strncasecmp(token.data(), word.data(), word.size()) == 0;
}

// An identifier or string as the server reads it: quotes removed, doubled quotes and (in
// strings, unless NO_BACKSLASH_ESCAPES) backslash escapes undone.
std::string unquote(std::string_view token, parser::LexMode mode) {
  if (token.size() < 2) return std::string(token);
  char quote = token.front();
  if ((quote != '`' && quote != '\'' && quote != '"') || token.back() != quote) {
    return std::string(token);
  }
  const bool escapes = quote != '`' && !mode.noBackslashEscapes();
  std::string out;
  for (size_t i = 1; i + 1 < token.size(); ++i) {
    char c = token[i];
    if (c == quote && i + 2 < token.size() && token[i + 1] == quote) {
      ++i;
    } else if (c == '\\' && escapes && i + 2 < token.size()) {
      c = token[++i];
      // MySQL's escapes; any other escaped character stands for itself.
      constexpr std::string_view kEscaped = "ntr0bZ";
      constexpr std::string_view kMeaning("\n\t\r\0\b\032", 6);
      if (size_t at = kEscaped.find(c); at != std::string_view::npos) c = kMeaning[at];
    }
    out += c;
  }
  return out;
}

std::string lowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// `name`@`host`, as MySQL writes an account in SHOW GRANTS.
std::string account(std::string_view user, std::string_view host) {
  return quoteIdentifier(user) + "@" + quoteIdentifier(host);
}

// A database name as a grant of exactly that database shows it: `_` and `%` are wildcards in a
// grant's database part, escaped where they stand for themselves.
std::string grantDatabase(std::string_view name) {
  std::string escaped;
  for (char c : name) {
    if (c == '_' || c == '%') escaped += '\\';
    escaped += c;
  }
  return quoteIdentifier(escaped);
}

}  // namespace

std::optional<GrantsRequest> grantsRequest(const ast::Statement& s, parser::LexMode mode) {
  if (s.kind != ast::StatementKind::Show || s.show.kind != ast::ShowStatement::Kind::Other) {
    return std::nullopt;
  }
  std::vector<std::string_view> t = tokensOf(s, mode);
  if (t.size() < 2 || !is(t[0], "SHOW") || !is(t[1], "GRANTS")) return std::nullopt;
  GrantsRequest request;
  if (t.size() < 4 || !is(t[2], "FOR") || is(t[3], "CURRENT_USER")) return request;
  // userName: (identifier | string) [@host | @ (identifier | string)], the host part one token
  // or two as the tokenizer splits it.
  request.user = unquote(t[3], mode);
  request.host = "%";
  if (t.size() > 4 && t[4].size() > 1 && t[4].front() == '@') {
    request.host = unquote(t[4].substr(1), mode);
  } else if (t.size() > 5 && t[4] == "@") {
    request.host = unquote(t[5], mode);
  }
  return request;
}

Result<TextRows> showGrants(const config::Topology& topology, const config::User& current,
                            const GrantsRequest& request) {
  const config::User* user = &current;
  if (!request.user.empty() &&
      !(request.user == current.name && lowerAscii(request.host) == lowerAscii(current.host))) {
    // Another account's grants are in the mysql schema, which only admins may read.
    if (!current.admin) return databaseAccessDenied(current.name, current.host, "mysql");
    user = nullptr;
    for (const config::User& u : topology.authority.users) {
      // User names compare case-sensitively, host names not, as MySQL's accounts do.
      if (u.name == request.user && lowerAscii(u.host) == lowerAscii(request.host)) user = &u;
    }
    if (!user) {
      return Status(1141, "42000",
                    "There is no such grant defined for user '" + request.user + "' on host '" +
                        request.host + "'");
    }
  }
  TextRows out;
  out.columns.push_back("Grants for " + user->name + "@" + user->host);
  const std::string to = " TO " + account(user->name, user->host);
  if (user->admin) {
    out.rows.push_back({"GRANT ALL PRIVILEGES ON *.*" + to});
    return out;
  }
  out.rows.push_back(
      {std::string(user->filePrivilege ? "GRANT FILE" : "GRANT USAGE") + " ON *.*" + to});
  // The logical databases it may use: every configured one it passes, and those its mapping
  // names that are not configured (yet), as MySQL lists a grant on a database that is missing.
  std::set<std::string> databases;
  for (const auto& [name, db] : topology.databases) {
    if (topology.authority.mayAccess(*user, name)) databases.insert(name);
  }
  if (topology.authority.privilege == config::PrivilegeType::kDatabasePermitted) {
    auto it = topology.authority.userDatabases.find(user->name + "@" + user->host);
    if (it != topology.authority.userDatabases.end()) {
      for (const std::string& name : it->second) {
        if (name != "*") databases.insert(name);
      }
    }
  }
  for (const std::string& name : databases) {
    out.rows.push_back({"GRANT ALL PRIVILEGES ON " + grantDatabase(name) + ".*" + to});
  }
  return out;
}

std::optional<CreateDatabaseRequest> createDatabaseRequest(const ast::Statement& s,
                                                           parser::LexMode mode) {
  if (s.kind != ast::StatementKind::Show || s.show.kind != ast::ShowStatement::Kind::Other) {
    return std::nullopt;
  }
  std::vector<std::string_view> t = tokensOf(s, mode);
  if (t.size() < 4 || !is(t[0], "SHOW") || !is(t[1], "CREATE") ||
      !(is(t[2], "DATABASE") || is(t[2], "SCHEMA"))) {
    return std::nullopt;
  }
  // The name from the text: the gate may have put the actual database in the statement's
  // object names.
  CreateDatabaseRequest request;
  request.ifNotExists = t.size() > 6 && is(t[3], "IF") && is(t[4], "NOT") && is(t[5], "EXISTS");
  request.database = unquote(t[request.ifNotExists ? 6 : 3], mode);
  return request;
}

std::optional<std::string> logicalCreateDatabase(std::string_view backendText,
                                                 std::string_view actual,
                                                 std::string_view logical) {
  for (std::string_view head : {"CREATE DATABASE /*!32312 IF NOT EXISTS*/ ",
                                "CREATE DATABASE IF NOT EXISTS ", "CREATE DATABASE "}) {
    if (backendText.substr(0, head.size()) != head) continue;
    std::string_view rest = backendText.substr(head.size());
    // Backquoted (sql_quote_show_create), double-quoted (ANSI_QUOTES) or bare.
    for (char quote : {'`', '"', '\0'}) {
      std::string written, replacement;
      if (quote == '\0') {
        written = std::string(actual);
        replacement = std::string(logical);
      } else {
        auto quoted = [quote](std::string_view name) {
          std::string q(1, quote);
          for (char c : name) {
            if (c == quote) q += quote;
            q += c;
          }
          return q + quote;
        };
        written = quoted(actual);
        replacement = quoted(logical);
      }
      if (rest.substr(0, written.size()) != written) continue;
      std::string_view after = rest.substr(written.size());
      if (quote == '\0' && !after.empty() && after.front() != ' ') continue;
      return std::string(head) + replacement + std::string(after);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// The Admin members that answer these (admin.h), kept with what they answer from.

void Admin::showGrants(const GrantsRequest& request) {
  Result<TextRows> answer = admin::showGrants(session_.topology(), *session_.user, request);
  if (!answer) {
    sink_.error(answer.status());
    return;
  }
  executor::writeTextResult(sink_, answer->columns, answer->rows, session_.statusFlags());
}

awaitable<bool> Admin::showCreateDatabase(const CreateDatabaseRequest& request) {
  const config::LogicalDatabase* db = session_.topology().findDatabase(request.database);
  const config::DataSource* ds = db ? db->defaultDataSource() : nullptr;
  if (!ds) co_return false;
  // The options (character set, collation, comment) are those of the default data source's
  // database; the name is the logical one.
  auto target = session_.targetFor(*db, ds->name);
  if (!target) {
    sink_.error(target.status());
    co_return true;
  }
  std::string sql = std::string("SHOW CREATE DATABASE ") +
                    (request.ifNotExists ? "IF NOT EXISTS " : "") + quoteIdentifier(ds->database);
  auto fetched = co_await engine_.fetch(*target, sql);
  if (!fetched) {
    sink_.error(fetched.status());
    co_return true;
  }
  std::optional<std::string> text;
  if (fetched->rows.size() == 1 && fetched->rows[0].size() == 2 && fetched->rows[0][1]) {
    text = logicalCreateDatabase(*fetched->rows[0][1], ds->database, db->name);
  }
  if (!text) {
    sink_.error(Status(er::kUnknownError, "HY000",
                       "unexpected SHOW CREATE DATABASE answer from data source " + ds->name));
    co_return true;
  }
  executor::writeTextResult(sink_, {"Database", "Create Database"}, {{db->name, *text}},
                            session_.statusFlags());
  co_return true;
}

}  // namespace shardproxy::admin
