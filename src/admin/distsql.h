// ShardingSphere's DistSQL statements the proxy answers itself (not MySQL syntax, so the grammar
// does not know them): recognised on the statement text before it is parsed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::admin {

// `PREVIEW <statement>` (ShardingSphere's DistSQL, not MySQL syntax, so the grammar does not
// know it): the statement after the keyword, or nullopt when the text is something else.
std::optional<std::string_view> previewTarget(std::string_view sql);

// ShardingSphere's DistSQL for the proxy's own variables (not MySQL syntax either):
//   SET [DIST] VARIABLE name = value       value bare or quoted
//   SHOW [DIST] VARIABLE name
//   SHOW DIST VARIABLE WHERE NAME = name
//   SHOW DIST VARIABLES
// Names are lower-cased; `name` is empty for SHOW DIST VARIABLES (all of them).
struct DistVariableStatement {
  bool set = false;
  bool dist = false;  // the DIST form (name/value columns when shown)
  std::string name;
  std::string value;
};
std::optional<DistVariableStatement> distVariable(std::string_view sql);

}  // namespace shardproxy::admin
