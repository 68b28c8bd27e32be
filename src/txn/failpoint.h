// Failpoints for crash tests: named places in the XA commit path where the process can be made to
// die as if the machine lost power, chosen by the environment variable SHARDPROXY_FAILPOINTS.
#pragma once

#include <optional>
#include <string_view>

namespace shardproxy::txn {

// Whether `name` is listed in SHARDPROXY_FAILPOINTS (comma-separated names, spaces around them
// ignored). The variable is read once, on the first call; later changes are not seen.
bool failpointEnabled(std::string_view name);

// When `name` is enabled: logs "failpoint <name>: stopping" and kills the process with SIGKILL
// (no destructors, no flush of anything but that log line). Listed as `name=pause:MS` it instead
// logs "failpoint <name>: pausing" and blocks the calling thread for MS milliseconds (so a test
// can break something at that moment). Inert when the variable is unset.
void failpoint(std::string_view name);

// Whether the comma-separated `list` names `name` (alone or as `name=action`): the parsing behind
// failpointEnabled.
bool failpointListed(std::string_view list, std::string_view name);

// The action of `name` in `list`: "" for a plain name, the text after '=' otherwise; nullopt
// when `name` is not listed.
std::optional<std::string_view> failpointAction(std::string_view list, std::string_view name);

}  // namespace shardproxy::txn
