// A client session's system variables, replayed on whichever backend connection serves it: the
// values the servers reported changed (session tracking), kept apart from any one connection.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace shardproxy::executor {

struct SessionVariables {
  // Variable name (lower case, as the server reports it) -> value as the server reports it.
  std::map<std::string, std::string> values;

  // The SET statement that turns a connection's applied variables into these; empty when
  // nothing differs. Variables the session does not have go back to their connect-time value.
  // `noBackslashEscapes`: the connection's sql_mode has NO_BACKSLASH_ESCAPES.
  std::string syncStatement(const std::map<std::string, std::string>& applied,
                            bool noBackslashEscapes) const;
};

// Initial session variables for the collation a client announced in its handshake.
std::map<std::string, std::string> charsetVariables(uint16_t collationId);

}  // namespace shardproxy::executor
