#include "frontend/authenticator.h"

#include "protocol/constants.h"

namespace shardproxy::frontend {

AuthPlugin pluginByName(std::string_view name) {
  if (name == protocol::kNativePasswordPlugin) return AuthPlugin::kNativePassword;
  if (name == protocol::kCachingSha2Plugin) return AuthPlugin::kCachingSha2;
  return AuthPlugin::kUnsupported;
}

const char* pluginName(AuthPlugin p) {
  return p == AuthPlugin::kCachingSha2 ? protocol::kCachingSha2Plugin
                                       : protocol::kNativePasswordPlugin;
}

AuthPlugin choosePlugin(std::string_view configuredPlugin, std::string_view clientPlugin) {
  AuthPlugin configured = pluginByName(configuredPlugin);
  if (configured != AuthPlugin::kUnsupported) return configured;
  AuthPlugin client =
      pluginByName(clientPlugin.empty() ? protocol::kNativePasswordPlugin : clientPlugin);
  return client == AuthPlugin::kUnsupported ? AuthPlugin::kNativePassword : client;
}

Status accessDenied(std::string_view user, std::string_view host, bool usingPassword) {
  return Status(er::kAccessDenied, "28000",
                "Access denied for user '" + std::string(user) + "'@'" + std::string(host) +
                    "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
}

}  // namespace shardproxy::frontend
