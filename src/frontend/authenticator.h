// Authentication decisions of the connection phase that need no I/O: which plugin a login
// must use and MySQL's wording of access errors.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/topology.h"

namespace shardproxy::frontend {

enum class AuthPlugin { kNativePassword, kCachingSha2, kUnsupported };

AuthPlugin pluginByName(std::string_view name);
const char* pluginName(AuthPlugin p);

// The configured plugin when set (see Authority::authPluginFor); otherwise the client's choice
// if the proxy speaks it, else mysql_native_password (reached with an AuthSwitchRequest).
AuthPlugin choosePlugin(std::string_view configuredPlugin, std::string_view clientPlugin);

Status accessDenied(std::string_view user, std::string_view host, bool usingPassword);

}  // namespace shardproxy::frontend
