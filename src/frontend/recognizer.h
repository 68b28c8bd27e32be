// Temporary statement recogniser: finds the few statements the session emulates (USE, SHOW
// DATABASES, SHOW TABLES, SELECT DATABASE(), SET) by their leading keywords, until the SQL
// parser replaces it. Everything else is forwarded unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::frontend {

struct Recognized {
  enum class Kind {
    kOther,
    kUse,             // USE db
    kShowDatabases,   // SHOW DATABASES|SCHEMAS [LIKE 'p']
    kShowTables,      // SHOW [FULL] TABLES [FROM|IN db] [LIKE 'p' | WHERE ...]
    kSelectDatabase,  // SELECT DATABASE() | SCHEMA()
    kSetVariables,    // SET of session system variables only
    kKill,            // KILL [QUERY|CONNECTION] id: ids are the proxy's, not a backend's
  };
  Kind kind = Kind::kOther;
  std::string database;     // USE, SHOW TABLES FROM
  std::string likePattern;  // SHOW ... LIKE (unquoted); empty if none
  bool hasLike = false;
  bool full = false;       // SHOW FULL TABLES
  std::string tail;        // SHOW TABLES: the LIKE/WHERE clause as written
  std::string columnName;  // SELECT DATABASE(): the expression or alias as written
  uint64_t killId = 0;     // KILL
  bool killQuery = false;  // KILL QUERY (else the connection)
  // The statement may leave state on the backend connection that the proxy cannot replay
  // (user variables, temporary tables, locks, SQL-level prepared statements).
  bool sessionEffects = false;
};

Recognized recognize(std::string_view sql);

// DATABASE() / SCHEMA() and CONNECTION_ID() items in the select list of a SELECT answer with
// the logical database and the proxy's connection id (the greeting's), not the data source's
// actual database and backend thread: each such item is replaced by an expression with the
// proxy's value, keeping the column's name. Elsewhere (WHERE on information_schema ...) the
// backend's values are what it needs, so they stay. nullopt when nothing changes; DATABASE()
// is left alone when no database is selected (the backend has none either).
std::optional<std::string> substituteSessionFunctions(std::string_view sql,
                                                      std::string_view logicalDatabase,
                                                      uint32_t connectionId);

}  // namespace shardproxy::frontend
