// A client session's system variables, replayed on whichever backend connection serves it: the
// values the servers reported changed (session tracking), kept apart from any one connection.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "parser/lex_mode.h"

namespace shardproxy::executor {

struct SessionVariables {
  // Variable name (lower case, as the server reports it) -> value as the server reports it.
  // Changed through set() and reset(), which keep lexMode() in step.
  std::map<std::string, std::string> values;

  void set(const std::string& name, std::string value);
  // The value of `name`, empty when the session has none.
  std::string value(const std::string& name) const;
  void reset(std::map<std::string, std::string> initial);

  // How statements of the session are read (its sql_mode's ANSI_QUOTES and
  // NO_BACKSLASH_ESCAPES): kept with the values so that reading it costs nothing per statement.
  parser::LexMode lexMode() const { return lexMode_; }

  // The SET statement that turns a connection's applied variables into these; empty when
  // nothing differs. Variables the session does not have go back to their connect-time value.
  // `noBackslashEscapes`: the connection's sql_mode has NO_BACKSLASH_ESCAPES.
  std::string syncStatement(const std::map<std::string, std::string>& applied,
                            bool noBackslashEscapes) const;

 private:
  void sqlModeChanged();

  parser::LexMode lexMode_;
};

// Initial session variables for the collation a client announced in its handshake.
std::map<std::string, std::string> charsetVariables(uint16_t collationId);

}  // namespace shardproxy::executor
