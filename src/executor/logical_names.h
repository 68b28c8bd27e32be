// Backends speak of physical names: a data source's database and the actual tables of the rules.
// What reaches a client is said in logical names only.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/topology.h"
#include "router/sharding_rule.h"

namespace shardproxy::executor {

// `message` (a backend's error text) with every name that is a physical database of one of `db`'s
// data sources replaced by `db`'s logical name, and every actual table of `rule` (null: none) by
// its logic table. Names are whole runs of identifier characters, so `ds_0` does not match in
// `ds_01`.
std::string logicalText(std::string_view message, const config::LogicalDatabase& db,
                        const router::ShardingRule* rule);

// A backend's error for the client: the message in logical names (logicalText); code and
// SQLSTATE kept.
Status logicalError(const Status& backend, const config::LogicalDatabase& db,
                    const router::ShardingRule* rule);

}  // namespace shardproxy::executor
