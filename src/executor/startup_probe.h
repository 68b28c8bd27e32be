// What the proxy asks its backends once, before it serves clients: the server version for the
// greeting, whether the backend accounts may do more than the proxy needs, and where the tables
// no rule names live. Blocking calls, for start-up only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/topology.h"
#include "metadata/table_catalog.h"
#include "router/sharding_rule.h"

namespace shardproxy::executor {

// Which servers answered at start-up: every data source's server is sent no more than a
// connect and a greeting read, all at once, so a server that is down (or drops packets) costs
// start-up one timeout in all rather than a connect timeout for each question asked of it.
class Reachability {
 public:
  // Probes the server of every data source of `topology` in parallel; a server whose greeting
  // does not arrive within `timeout` does not answer.
  static Reachability probe(const config::Topology& topology, std::chrono::milliseconds timeout);
  // Probes again the servers that did not answer, and takes what they say now. Each greeting
  // read counts as an interrupted handshake against this host on that server (MariaDB's
  // max_connect_errors) until a login succeeds: only silent servers are probed.
  void probeSilent(const config::Topology& topology, std::chrono::milliseconds timeout);
  // Every server answers (nothing probed): what a caller that probed nothing assumes.
  static Reachability everyone() { return Reachability(); }

  bool answers(const config::DataSource& ds) const;
  // The greeting's server version ("5.5.5-10.11.6-MariaDB..."); empty when it did not answer.
  std::string version(const config::DataSource& ds) const;
  // "host:port" of the servers that did not answer.
  std::vector<std::string> silent() const;

 private:
  bool probed_ = false;
  std::map<std::string, std::string> greetings_;  // "host:port" -> version ("" when silent)
};

// The version of the first reachable backend as its greeting gives it (MariaDB's "5.5.5-"
// prefix included), for the proxy's greeting; `fallback` otherwise.
std::string probeBackendVersion(const config::Topology& topology, const Reachability& reachable,
                                const std::string& fallback);

// The server version in the greeting of the MySQL server at host:port (read without logging
// in); empty when none arrives within `timeout`.
std::string greetingVersion(const std::string& host, uint16_t port,
                            std::chrono::milliseconds timeout);

// Reads the grants of every data source's account (SHOW GRANTS, and again after SET ROLE for each
// role it may take on that the first answer does not describe) and logs one warning per data source
// whose account may do more than the proxy needs (backend_grants.h says what that is). The gate
// keeps clients to their logical databases; an account that can reach only its data source's
// database keeps a mistake there from reaching further. A data source that cannot be asked gets a
// warning saying so.
// Servers that did not answer at start-up are not asked.
void checkBackendGrants(const config::Topology& topology, const Reachability& reachable);

// Lists the tables of every data source of `db` and keeps those no rule claims (neither an
// actual table of a sharded table nor a broadcast table) that the `!SINGLE` tables patterns
// list (all of them when it lists none). A data source that cannot be reached is skipped with a
// warning (its tables route to the default data source until the proxy restarts or DDL names
// them); so is one whose server did not answer at start-up, without being asked.
metadata::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule,
                                            const Reachability& reachable);

}  // namespace shardproxy::executor
