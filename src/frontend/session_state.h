// Per-client session state that outlives any one backend connection: current database,
// character set, session variables and the backend connections the session holds.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "backend/connection.h"
#include "backend/pool.h"
#include "common/sql_text.h"

namespace shardproxy::frontend {

struct SessionVariables {
  // Variable name (lower case, as the server reports it) -> value as the server reports it.
  std::map<std::string, std::string> values;

  // The SET statement that turns a connection's applied variables into these; empty when
  // nothing differs. Variables the session does not have go back to their connect-time value.
  // `noBackslashEscapes`: the connection's sql_mode has NO_BACKSLASH_ESCAPES.
  std::string syncStatement(const std::map<std::string, std::string>& applied,
                            bool noBackslashEscapes) const;
};

// A backend connection the session keeps between statements (transaction, or state the
// proxy cannot replay), with the pool it goes back to.
struct HeldConnection {
  backend::Pool* pool = nullptr;
  std::unique_ptr<backend::Connection> conn;
  bool sticky = false;  // holds state that cannot be replayed: kept for the session's life
  bool pinned = false;  // was kept from an earlier statement (transaction or sticky state)
};

using shardproxy::quoteIdentifier;
using shardproxy::quoteString;

// Initial session variables for the collation a client announced in its handshake.
std::map<std::string, std::string> charsetVariables(uint16_t collationId);

}  // namespace shardproxy::frontend
