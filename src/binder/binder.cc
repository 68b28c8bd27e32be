#include "binder/binder.h"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "common/sql_text.h"
#include "parser/normalizer.h"

#include "parser/table_statement.h"

namespace shardproxy::binder {

namespace ast = parser::ast;
using ast::ObjectName;
using router::lowerAscii;

bool isInformationSchema(std::string_view name) { return lowerAscii(name) == "information_schema"; }

bool isLogicalInformationSchemaTable(std::string_view name) {
  static const std::set<std::string, std::less<>> kTables = {"SCHEMATA",
                                                             "TABLES",
                                                             "COLUMNS",
                                                             "STATISTICS",
                                                             "KEY_COLUMN_USAGE",
                                                             "TABLE_CONSTRAINTS",
                                                             "REFERENTIAL_CONSTRAINTS",
                                                             "CHECK_CONSTRAINTS",
                                                             "VIEWS",
                                                             "ROUTINES",
                                                             "PARAMETERS",
                                                             "TRIGGERS",
                                                             "EVENTS",
                                                             "PARTITIONS",
                                                             "PROCESSLIST",
                                                             "SCHEMA_PRIVILEGES",
                                                             "TABLE_PRIVILEGES",
                                                             "COLUMN_PRIVILEGES",
                                                             "USER_PRIVILEGES"};
  return kTables.count(upperAscii(name)) > 0;
}

bool isServerInformationSchemaTable(std::string_view name) {
  static const std::set<std::string, std::less<>> kTables = {
      "ENGINES",
      "CHARACTER_SETS",
      "COLLATIONS",
      "COLLATION_CHARACTER_SET_APPLICABILITY",
      "KEYWORDS",
      "SQL_FUNCTIONS",
      "PLUGINS",
      "ALL_PLUGINS",
      "FILES",
      "TABLESPACES",
      "SESSION_VARIABLES",
      "GLOBAL_VARIABLES",
      "SYSTEM_VARIABLES",
      "SPATIAL_REF_SYS",
      "ENABLED_ROLES",
      "APPLICABLE_ROLES"};
  return kTables.count(upperAscii(name)) > 0;
}

bool isSystemSchema(std::string_view name) {
  std::string lower = lowerAscii(name);
  return lower == "information_schema" || lower == "mysql" || lower == "performance_schema" ||
         lower == "sys";
}

bool isShardingSphereSchema(std::string_view name) {
  // (Asked of the session's database for every statement the proxy may answer: no copy.)
  return name.size() == kShardingSphereSchema.size() &&
         strncasecmp(name.data(), kShardingSphereSchema.data(), name.size()) == 0;
}

bool isShardingSphereTable(std::string_view name) {
  std::string lower = lowerAscii(name);
  return lower == "cluster_information" || lower == "sharding_table_statistics";
}

namespace {

// SHOW CREATE DATABASE | SCHEMA, which the proxy answers itself under the logical name. (The
// statement model has no kind for it: its first tokens tell.)
bool showCreateDatabase(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Show || s.show.kind != ast::ShowStatement::Kind::Other) {
    return false;
  }
  std::string_view text = s.text(s.span);
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  if (!parser::tokenBounds(text, tokens, {}) || tokens.size() < 3) return false;
  auto word = [&](size_t i, const char* w) {
    std::string_view t = text.substr(tokens[i].first, tokens[i].second - tokens[i].first);
    return t.size() == strlen(w) && strncasecmp(t.data(), w, t.size()) == 0;
  };
  return word(0, "SHOW") && word(1, "CREATE") && (word(2, "DATABASE") || word(2, "SCHEMA"));
}

// MySQL's ER_SPECIFIC_ACCESS_DENIED_ERROR.
Status privilegeNeeded(std::string_view privilege) {
  return Status(1227, "42000",
                "Access denied; you need (at least one of) the " + std::string(privilege) +
                    " privilege(s) for this operation");
}

Status notSupported(std::string_view what) {
  return Status(er::kNotSupportedYet, "42000", "unsupported: " + std::string(what));
}

std::string quoted(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  out += '`';
  return out;
}

// The command MySQL names in a table-level access-denied error for this statement.
const char* commandOf(const ast::Statement& s) {
  using K = ast::StatementKind;
  using D = ast::DdlKind;
  switch (s.kind) {
    case K::Insert:
    case K::Replace:
    case K::LoadData:
      return "INSERT";
    case K::Update:
      return "UPDATE";
    case K::Delete:
      return "DELETE";
    case K::Ddl:
      switch (s.ddlKind) {
        case D::CreateTable:
        case D::CreateView:
        case D::CreateDatabase:
          return "CREATE";
        case D::CreateIndex:
        case D::DropIndex:
          return "INDEX";
        case D::DropTable:
        case D::DropView:
        case D::DropDatabase:
        case D::TruncateTable:
          return "DROP";
        default:
          return "ALTER";
      }
    case K::Tcl:
      return s.tclKind == ast::TclKind::LockTables ? "LOCK TABLES" : "SELECT";
    default:
      return "SELECT";
  }
}

bool hintAddressesPhysicalTables(const ast::Statement& s) {
  if (!s.hasHint) return false;
  std::string hint = lowerAscii(s.hint);
  return hint.find("data_source_name") != std::string::npos ||
         hint.find("skip_sql_rewrite") != std::string::npos;
}

// Engines that reach other servers or files from the backend.
bool remoteEngine(std::string_view engine) {
  std::string lower = lowerAscii(engine);
  return lower == "connect" || lower == "federated" || lower == "federatedx" || lower == "spider";
}

class Binder {
 public:
  Binder(const ast::Statement& s, const Context& c) : s_(s), c_(c) {}

  Result<BoundStatement> run() {
    if (Status st = statementAllowed(); !st) return st;
    // Qualified names first: they say which logical database the statement is about.
    std::set<std::string> named;
    for (const ObjectName& o : s_.objects) {
      if (o.kind == ObjectName::Kind::FileRead || o.kind == ObjectName::Kind::Engine) continue;
      if (o.schema.empty()) continue;
      if (Status st = checkSchema(o); !st) return st;
      if (!isSystemSchema(o.schema.value)) named.insert(o.schema.value);
    }
    // SHOW ... FROM db: the statement's unqualified table (SHOW COLUMNS FROM t FROM db) is db's.
    std::string showDatabase;
    if (s_.kind == ast::StatementKind::Show) {
      for (const ObjectName& o : s_.objects) {
        if (o.kind == ObjectName::Kind::Database) showDatabase = o.schema.value;
      }
    }
    std::set<std::string> ctes;
    for (const ast::Select& q : s_.selects) {
      for (const ast::Cte& cte : q.with) ctes.insert(lowerAscii(cte.name.value));
    }
    bool unqualified = false;
    for (const ObjectName& o : s_.objects) {
      if (o.kind != ObjectName::Kind::Table || !o.schema.empty()) continue;
      if (ctes.count(lowerAscii(o.name.value)) > 0) continue;
      unqualified = true;
    }
    if (unqualified) {
      std::string_view home = showDatabase.empty() ? c_.database : showDatabase;
      if (home.empty()) return Status(er::kNoDb, "3D000", "No database selected");
      named.insert(std::string(home));
      if (isInformationSchema(home)) {
        for (const ObjectName& o : s_.objects) {
          if (o.kind != ObjectName::Kind::Table || !o.schema.empty()) continue;
          if (ctes.count(lowerAscii(o.name.value)) > 0) continue;
          if (Status st = checkInformationSchema(o); !st) return st;
        }
      }
    }
    if (named.size() > 1) {
      auto second = std::next(named.begin());
      return notSupported("one statement over the logical databases '" + *named.begin() +
                          "' and '" + *second + "'");
    }
    BoundStatement out;
    out.systemSchema = systemSchema_;
    out.logicalInformationSchema = logicalInformationSchema_;
    out.database = named.empty() ? std::string(c_.database) : *named.begin();
    if (isShardingSphereSchema(out.database)) {
      if (Status st = checkShardingSphereStatement(unqualified, ctes); !st) return st;
      out.database = std::string(kShardingSphereSchema);
      out.shardingSphereSchema = true;
    } else if (unqualified) {
      if (Status st = checkUnqualifiedTables(out.database, ctes); !st) return st;
    }
    if (Status st = afterNames(); !st) return st;
    replacements(out);
    return out;
  }

 private:
  // Statements that act on a server rather than on a logical database, and the file
  // privilege's statements.
  Status statementAllowed() {
    using K = ast::StatementKind;
    const config::User& user = c_.user;
    if (s_.reach == ast::Reach::Server) {
      // FLUSH TABLES [t, ...] [WITH READ LOCK | FOR EXPORT] acts on the logical databases' data
      // sources only (executor/table_commands.h): MySQL's RELOAD, which admin users have.
      if (parser::tableCommand(s_).command == parser::TableCommand::FlushTables) {
        if (!user.admin) return privilegeNeeded("RELOAD");
      } else {
        return privilegeNeeded(s_.kind == K::Dcl ? "CREATE USER" : "SUPER");
      }
    }
    if (s_.reach == ast::Reach::ServerState && !user.admin) return privilegeNeeded("PROCESS");
    if (s_.kind == K::Set) {
      if (!s_.set.forStatement.empty()) return notSupported("SET STATEMENT ... FOR");
      for (const ast::SetItem& item : s_.set.items) {
        if (item.kind == ast::SetItem::Kind::Password) return privilegeNeeded("CREATE USER");
        if (item.scope == ast::VariableScope::Global || item.scope == ast::VariableScope::Persist ||
            item.scope == ast::VariableScope::PersistOnly) {
          return privilegeNeeded("SUPER");
        }
      }
    }
    // A stored program's body is bound like any statement (its names are in `objects`), but
    // SQL it would build at run time cannot be.
    if (s_.dynamicSql) {
      return notSupported(
          "PREPARE or EXECUTE inside a stored program: the proxy binds every statement before "
          "it reaches a backend, and cannot bind SQL built at run time");
    }
    if (s_.kind == K::LoadData && s_.localFile) {
      // The client's own file: no FILE privilege needed, as in MySQL.
      if (!c_.localInfile) {
        return Status(1148, "42000", "The used command is not allowed with this MariaDB version");
      }
    } else if ((s_.kind == K::LoadData || s_.intoFile) && !user.filePrivilege) {
      return privilegeNeeded("FILE");
    }
    if (hintAddressesPhysicalTables(s_) && !user.admin) {
      return Status(1227, "42000",
                    "Access denied; the DATA_SOURCE_NAME and SKIP_SQL_REWRITE hints address "
                    "physical tables and are for admin users only");
    }
    for (const ObjectName& o : s_.objects) {
      if (o.kind == ObjectName::Kind::Engine && remoteEngine(o.name.value)) {
        return Status(1286, "42000", "Unknown storage engine '" + o.name.value + "'");
      }
    }
    return Status::ok();
  }

  // What the statement does once its names are bound.
  Status afterNames() {
    if (s_.kind != ast::StatementKind::Ddl) return Status::ok();
    switch (s_.ddlKind) {
      case ast::DdlKind::CreateDatabase:
      case ast::DdlKind::AlterDatabase:
      case ast::DdlKind::DropDatabase:
        return notSupported(
            "CREATE, ALTER and DROP DATABASE: logical databases are declared in the proxy's "
            "database-*.yaml files and are never created or dropped on a backend");
      default:
        return Status::ok();
    }
  }

  Status denied(const ObjectName& o) const {
    const config::User& user = c_.user;
    std::string who = "' to user '" + user.name + "'@'" + user.host + "'";
    switch (o.kind) {
      case ObjectName::Kind::Database:
        return databaseAccessDenied(user.name, user.host, o.schema.value);
      case ObjectName::Kind::Routine:
        return Status(1370, "42000",
                      std::string(s_.kind == ast::StatementKind::Call ? "EXECUTE" : "EXECUTE") +
                          " command denied to user '" + user.name + "'@'" + user.host +
                          "' for routine " + quoted(o.schema.value) + "." + quoted(o.name.value));
      default:
        return Status(1142, "42000",
                      std::string(commandOf(s_)) + " command denied to user '" + user.name + "'@'" +
                          user.host + "' for table " + quoted(o.schema.value) + "." +
                          quoted(o.name.value));
    }
  }

  Status unknown(const ObjectName& o) const {
    const std::string& db = o.schema.value;
    switch (o.kind) {
      case ObjectName::Kind::Database:
        return unknownDatabase(db);
      case ObjectName::Kind::Routine:
        return Status(
            er::kSpDoesNotExist, "42000",
            std::string(s_.kind == ast::StatementKind::Call ? "PROCEDURE " : "FUNCTION ") + db +
                "." + o.name.value + " does not exist");
      case ObjectName::Kind::Wildcard:
        return Status(1051, "42S02", "Unknown table '" + db + "." + o.name.value + "'");
      case ObjectName::Kind::Column:
        return Status(1054, "42S22",
                      "Unknown column '" + db + "." + o.name.value + "' in 'field list'");
      default:
        return Status(1146, "42S02", "Table '" + db + "." + o.name.value + "' doesn't exist");
    }
  }

  // A qualified name: a logical database the user may use, `shardingsphere`, or (admins only) a
  // system schema.
  Status checkSchema(const ObjectName& o) {
    const std::string& schema = o.schema.value;
    if (isShardingSphereSchema(schema)) {
      if (!readsOnly() && o.kind != ObjectName::Kind::Database) {
        return databaseAccessDenied(c_.user.name, c_.user.host, kShardingSphereSchema);
      }
      switch (o.kind) {
        case ObjectName::Kind::Database:
          return Status::ok();
        case ObjectName::Kind::Table:
        case ObjectName::Kind::Wildcard:
        case ObjectName::Kind::Column:
          return isShardingSphereTable(o.name.value) ? Status::ok() : unknown(o);
        default:
          return unknown(o);
      }
    }
    if (isInformationSchema(schema)) return checkInformationSchema(o);
    if (isSystemSchema(schema)) {
      if (!c_.user.admin) return denied(o);
      systemSchema_ = true;
      return Status::ok();
    }
    if (!c_.topology.authority.mayAccess(c_.user, schema)) return denied(o);
    // (CREATE DATABASE names one that does not exist; it is refused after the names.)
    bool creates = o.kind == ObjectName::Kind::Database && s_.kind == ast::StatementKind::Ddl &&
                   s_.ddlKind == ast::DdlKind::CreateDatabase;
    if (!creates && c_.topology.findDatabase(schema) == nullptr) return unknown(o);
    return Status::ok();
  }

  // A name in information_schema (qualified, or unqualified while it is the session's database).
  // Anyone reads the tables the proxy answers logically and those about the server alone, as
  // anyone reads information_schema on MySQL; the rest shows a backend's inside (admins only).
  Status checkInformationSchema(const ObjectName& o) {
    systemSchema_ = true;
    bool table = o.kind == ObjectName::Kind::Table || o.kind == ObjectName::Kind::Wildcard ||
                 o.kind == ObjectName::Kind::Column;
    if (table && isLogicalInformationSchemaTable(o.name.value)) logicalInformationSchema_ = true;
    if (c_.user.admin) return Status::ok();
    if (!readsOnly()) {
      return databaseAccessDenied(c_.user.name, c_.user.host, "information_schema");
    }
    if (o.kind == ObjectName::Kind::Database) return Status::ok();
    if (table && (isLogicalInformationSchemaTable(o.name.value) ||
                  isServerInformationSchemaTable(o.name.value))) {
      return Status::ok();
    }
    if (!table) return unknown(o);
    return privilegeNeeded("PROCESS");
  }

  // What may name ShardingSphere's tables: SELECT, SHOW and DESCRIBE.
  bool readsOnly() const {
    using K = ast::StatementKind;
    return s_.kind == K::Select || s_.kind == K::Show || s_.kind == K::Use ||
           (s_.kind == K::Explain && s_.show.table != ast::kNone);
  }

  // A statement about ShardingSphere's schema: its tables are read with SELECT (and listed with
  // SHOW); nothing changes them, as nothing changes a MySQL server's information_schema.
  Status checkShardingSphereStatement(bool unqualified, const std::set<std::string>& ctes) const {
    bool tables = false;
    for (const ObjectName& o : s_.objects) {
      if (o.kind != ObjectName::Kind::Table) continue;
      if (o.schema.empty() && ctes.count(lowerAscii(o.name.value)) > 0) continue;
      tables = true;
      if (o.schema.empty() && unqualified && !isShardingSphereTable(o.name.value)) {
        return Status(1146, "42S02",
                      "Table '" + std::string(kShardingSphereSchema) + "." + o.name.value +
                          "' doesn't exist");
      }
    }
    if (tables && !readsOnly()) {
      return databaseAccessDenied(c_.user.name, c_.user.host, kShardingSphereSchema);
    }
    return Status::ok();
  }

  // Unqualified tables of a sharded database: an actual table is not a logical one (unless an
  // admin addresses physical tables with a hint).
  Status checkUnqualifiedTables(const std::string& database, const std::set<std::string>& ctes) {
    auto it = c_.rules.find(database);
    if (it == c_.rules.end() || !it->second || it->second->empty()) return Status::ok();
    if (c_.user.admin && hintAddressesPhysicalTables(s_)) return Status::ok();
    const router::ShardingRule& rule = *it->second;
    for (const ObjectName& o : s_.objects) {
      if (o.kind != ObjectName::Kind::Table || !o.schema.empty()) continue;
      if (ctes.count(lowerAscii(o.name.value)) > 0) continue;
      if (rule.findTableRule(o.name.value) != nullptr || rule.isBroadcast(o.name.value)) continue;
      if (rule.findByActualTable(o.name.value) != nullptr) {
        return Status(1146, "42S02", "Table '" + database + "." + o.name.value + "' doesn't exist");
      }
    }
    return Status::ok();
  }

  // The logical database qualifiers of a pass-through statement become the physical database;
  // LOAD_FILE() is NULL without the FILE privilege.
  void replacements(BoundStatement& out) const {
    std::string physical;
    bool passThrough = false;
    if (const config::LogicalDatabase* db = c_.topology.findDatabase(out.database)) {
      auto rules = c_.rules.find(out.database);
      passThrough = rules == c_.rules.end() || !rules->second || rules->second->empty();
      if (const config::DataSource* ds = db->defaultDataSource()) physical = quoted(ds->database);
    }
    // The proxy answers USE, SHOW DATABASES, SHOW TABLES and SHOW CREATE DATABASE itself, with
    // logical names.
    using Show = ast::ShowStatement::Kind;
    if (s_.kind == ast::StatementKind::Use ||
        (s_.kind == ast::StatementKind::Show &&
         (s_.show.kind == Show::Databases || s_.show.kind == Show::Tables)) ||
        showCreateDatabase(s_)) {
      passThrough = false;
    }
    std::vector<Replacement> all;
    for (const ObjectName& o : s_.objects) {
      if (o.kind == ObjectName::Kind::FileRead) {
        if (!c_.user.filePrivilege) all.push_back(Replacement{o.span, nullFor(o.span)});
        continue;
      }
      if (!passThrough || physical.empty() || o.schema.empty() ||
          o.kind == ObjectName::Kind::Engine)
        continue;
      if (o.schema.value != out.database) continue;
      all.push_back(Replacement{o.schema.span, physical});
    }
    // In text order; a replacement inside another (a qualifier in a LOAD_FILE() argument) goes.
    std::sort(all.begin(), all.end(), [](const Replacement& a, const Replacement& b) {
      return a.span.begin < b.span.begin ||
             (a.span.begin == b.span.begin && a.span.end > b.span.end);
    });
    for (Replacement& r : all) {
      if (!out.replacements.empty() && r.span.begin < out.replacements.back().span.end) continue;
      out.replacements.push_back(std::move(r));
    }
  }

  // NULL in place of a call; a select item that is the call alone keeps its column name.
  std::string nullFor(ast::Span call) const {
    for (const ast::Select& q : s_.selects) {
      for (const ast::SelectItem& item : q.items) {
        if (item.kind != ast::SelectItem::Kind::Expr || !item.alias.empty()) continue;
        const ast::Span& e = s_.expr(item.expr).span;
        if (e.begin == call.begin && e.end == call.end) {
          return "NULL AS " + quoted(s_.text(call));
        }
      }
    }
    return "NULL";
  }

  const ast::Statement& s_;
  const Context& c_;
  bool systemSchema_ = false;
  bool logicalInformationSchema_ = false;
};

}  // namespace

Result<BoundStatement> bind(const ast::Statement& s, const Context& context) {
  return Binder(s, context).run();
}

std::string applyReplacements(const ast::Statement& s,
                              const std::vector<Replacement>& replacements) {
  std::string out;
  out.reserve(s.sql.size() + 16 * replacements.size());
  size_t at = 0;
  for (const Replacement& r : replacements) {
    out.append(s.sql, at, r.span.begin - at);
    out += r.text;
    at = r.span.end;
  }
  out.append(s.sql, at, std::string::npos);
  return out;
}

}  // namespace shardproxy::binder
