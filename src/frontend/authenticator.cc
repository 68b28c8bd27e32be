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

Status databaseAccessDenied(std::string_view user, std::string_view host,
                            std::string_view database) {
  return Status(er::kDbAccessDenied, "42000",
                "Access denied for user '" + std::string(user) + "'@'" + std::string(host) +
                    "' to database '" + std::string(database) + "'");
}

Status unknownDatabase(std::string_view database) {
  return Status(er::kBadDb, "42000", "Unknown database '" + std::string(database) + "'");
}

}  // namespace shardproxy::frontend
