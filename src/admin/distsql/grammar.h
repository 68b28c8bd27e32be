// Internal to admin/distsql/: runs the DistSQL grammar (grammar/distsql/, generated into the
// build directory) and turns its tree into a DistSqlStatement. The only code that sees ANTLR.
#pragma once

#include <optional>
#include <string_view>

#include "admin/distsql.h"

namespace shardproxy::admin::distsql {

// The DistSQL statement `sql` is, or nullopt on a syntax error. Never throws.
std::optional<DistSqlStatement> parseWithGrammar(std::string_view sql);

}  // namespace shardproxy::admin::distsql
