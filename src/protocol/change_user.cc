#include "protocol/change_user.h"

#include "protocol/buffer.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace shardproxy::protocol {

std::optional<ChangeUserRequest> decodeChangeUser(const CommandPacket& c, uint32_t capabilities) {
  if (c.command != Command::kChangeUser) return std::nullopt;
  Reader r(c.body);
  ChangeUserRequest req;
  std::string_view user, auth, db;
  if (!r.nulString(user)) return std::nullopt;
  // Unlike the handshake response, the auth response has a one-byte length even with
  // CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (what MySQL's server reads and its clients send).
  if (capabilities & cap::kSecureConnection) {
    uint8_t len;
    if (!r.u8(len) || !r.bytes(len, auth)) return std::nullopt;
  } else if (!r.nulString(auth)) {
    return std::nullopt;
  }
  // Trailing fields: some clients leave out the final NUL of the last string.
  auto trailingString = [&r](std::string_view& v) {
    if (!r.nulString(v)) v = r.rest();
  };
  if (!r.atEnd()) trailingString(db);
  req.user = user;
  req.authResponse = auth;
  req.database = db;
  if (r.remaining() >= 2) {
    uint16_t collation;
    r.u16(collation);
    req.collation = collation;
  }
  if ((capabilities & cap::kPluginAuth) && !r.atEnd()) {
    std::string_view plugin;
    trailingString(plugin);
    req.authPlugin = plugin;
  }
  if ((capabilities & cap::kConnectAttrs) && !r.atEnd() &&
      !decodeConnectAttributes(r, req.attributes)) {
    return std::nullopt;
  }
  if (!r.atEnd()) return std::nullopt;
  return req;
}

std::string encodeChangeUser(const ChangeUserRequest& r, uint32_t capabilities) {
  std::string out;
  Writer w(out);
  w.u8(static_cast<uint8_t>(Command::kChangeUser));
  w.nulString(r.user);
  if (capabilities & cap::kSecureConnection) {
    std::string_view auth = std::string_view(r.authResponse).substr(0, 255);
    w.u8(static_cast<uint8_t>(auth.size()));
    w.bytes(auth);
  } else {
    w.nulString(r.authResponse);
  }
  w.nulString(r.database);
  if (!r.collation) return out;
  w.u16(*r.collation);
  if (capabilities & cap::kPluginAuth) w.nulString(r.authPlugin);
  if (capabilities & cap::kConnectAttrs) {
    std::string attrs;
    Writer a(attrs);
    for (const auto& [k, v] : r.attributes) {
      a.lenencString(k);
      a.lenencString(v);
    }
    w.lenencString(attrs);
  }
  return out;
}

}  // namespace shardproxy::protocol
