// What the proxy asks its backends once, before it serves clients: the server version for the
// greeting, whether the backend accounts may do more than the proxy needs, and where the tables
// no rule names live. Blocking calls, for start-up only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/topology.h"
#include "metadata/table_catalog.h"
#include "router/sharding_rule.h"

namespace shardproxy::executor {

// The version of the first reachable backend as its greeting gives it (MariaDB's "5.5.5-"
// prefix included), for the proxy's greeting; `fallback` otherwise.
std::string probeBackendVersion(const config::Topology& topology, const std::string& fallback);

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
void checkBackendGrants(const config::Topology& topology);

// Lists the tables of every data source of `db` and keeps those no rule claims (neither an
// actual table of a sharded table nor a broadcast table) that the `!SINGLE` tables patterns
// list (all of them when it lists none). A data source that cannot be reached is skipped with a
// warning (its tables route to the default data source until the proxy restarts or DDL names
// them).
metadata::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule);

}  // namespace shardproxy::executor
