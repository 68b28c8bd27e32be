// A client session's system variables, replayed on whichever backend connection serves it: the
// values the servers reported changed (session tracking), kept apart from any one connection.
// A few are the proxy's own (the client connection's timeouts, max_execution_time): kept here
// too, never sent to a backend.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "parser/lex_mode.h"

namespace shardproxy::config {
struct Props;
}

namespace shardproxy::executor {

// A session variable the proxy keeps for itself rather than the backends: the client
// connection's timeouts describe the connection to the proxy (a pooled backend connection must
// keep its own), and MariaDB has no max_execution_time. Integers within [min, max], as MySQL's.
struct ProxyVariable {
  std::string_view name;  // lower case
  int64_t min;
  int64_t max;
};
// The proxy's variable `name` (any case), or null when it is a backend's.
const ProxyVariable* proxyVariable(std::string_view name);
// The global value of the proxy's variable `name` (the props' value, 0 for max_execution_time).
int64_t proxyGlobalValue(const config::Props& props, std::string_view name);

struct SessionVariables {
  // Variable name (lower case, as the server reports it) -> value as the server reports it.
  // Changed through set() and reset(), which keep lexMode() in step.
  std::map<std::string, std::string> values;

  void set(const std::string& name, std::string value);
  // The value of `name`, empty when the session has none.
  std::string value(const std::string& name) const;
  void reset(std::map<std::string, std::string> initial);

  // The proxy's own variables (proxyVariable()): the session's values, by lower-case name.
  // reset() brings back the defaults set here (the global values, as at login).
  std::map<std::string, int64_t, std::less<>> proxyValues;
  void setProxyDefaults(std::map<std::string, int64_t, std::less<>> defaults);
  int64_t proxyValue(std::string_view name) const;

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
  std::map<std::string, int64_t, std::less<>> proxyDefaults_;
};

// Initial session variables for the collation a client announced in its handshake.
std::map<std::string, std::string> charsetVariables(uint16_t collationId);

}  // namespace shardproxy::executor
