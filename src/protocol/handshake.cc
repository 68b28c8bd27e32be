#include "protocol/handshake.h"

#include "protocol/buffer.h"
#include "protocol/constants.h"

namespace shardproxy::protocol {

std::string encodeGreeting(const ServerGreeting& g) {
  std::string out;
  Writer w(out);
  w.u8(10);
  w.nulString(g.serverVersion);
  w.u32(g.connectionId);
  std::string scramble = g.scramble;
  scramble.resize(kScrambleLength, '\0');
  w.bytes(std::string_view(scramble).substr(0, 8));
  w.u8(0);
  w.u16(static_cast<uint16_t>(g.capabilities));
  w.u8(g.collation);
  w.u16(g.statusFlags);
  w.u16(static_cast<uint16_t>(g.capabilities >> 16));
  w.u8(static_cast<uint8_t>(kScrambleLength + 1));
  w.zeros(10);
  w.bytes(std::string_view(scramble).substr(8));
  w.u8(0);
  w.nulString(g.authPlugin);
  return out;
}

std::optional<ServerGreeting> decodeGreeting(std::string_view payload) {
  Reader r(payload);
  ServerGreeting g;
  uint8_t version, filler, authLen, collation;
  uint16_t capLow, capHigh, status;
  std::string_view sv, part1, part2;
  if (!r.u8(version) || version != 10) return std::nullopt;
  if (!r.nulString(sv) || !r.u32(g.connectionId) || !r.bytes(8, part1) || !r.u8(filler) ||
      !r.u16(capLow) || !r.u8(collation) || !r.u16(status) || !r.u16(capHigh) || !r.u8(authLen) ||
      !r.skip(10)) {
    return std::nullopt;
  }
  size_t len2 = authLen > 8 ? authLen - 8 : 13;
  if (len2 < 13) len2 = 13;
  if (!r.bytes(len2, part2)) return std::nullopt;
  std::string_view plugin;
  if (!r.nulString(plugin)) plugin = r.rest();
  if (!r.atEnd()) return std::nullopt;
  g.serverVersion = sv;
  g.scramble = std::string(part1) + std::string(part2.substr(0, len2 - 1));
  g.capabilities = capLow | (static_cast<uint32_t>(capHigh) << 16);
  g.collation = collation;
  g.statusFlags = status;
  g.authPlugin = plugin;
  return g;
}

std::optional<DecodedResponse> decodeHandshakeResponse(std::string_view payload) {
  Reader r(payload);
  DecodedResponse d;
  HandshakeResponse& h = d.response;
  if (!r.u32(h.capabilities) || !r.u32(h.maxPacketSize) || !r.u8(h.collation) || !r.skip(23)) {
    return std::nullopt;
  }
  if (!(h.capabilities & cap::kProtocol41)) return std::nullopt;
  if (r.atEnd() && (h.capabilities & cap::kSsl)) {
    d.sslRequest = true;
    return d;
  }
  std::string_view user, auth;
  if (!r.nulString(user)) return std::nullopt;
  h.user = user;
  if (h.capabilities & cap::kPluginAuthLenencData) {
    if (!r.lenencString(auth)) return std::nullopt;
  } else if (h.capabilities & cap::kSecureConnection) {
    uint8_t len;
    if (!r.u8(len) || !r.bytes(len, auth)) return std::nullopt;
  } else {
    if (!r.nulString(auth)) return std::nullopt;
  }
  h.authResponse = auth;
  // Trailing fields: some clients leave out the final NUL of the last string.
  auto trailingString = [&r](std::string_view& v) {
    if (r.nulString(v)) return true;
    v = r.rest();
    return true;
  };
  if (h.capabilities & cap::kConnectWithDb) {
    std::string_view db;
    if (!r.atEnd()) trailingString(db);
    h.database = db;
  }
  if (h.capabilities & cap::kPluginAuth) {
    std::string_view plugin;
    if (!r.atEnd()) trailingString(plugin);
    h.authPlugin = plugin;
  }
  if ((h.capabilities & cap::kConnectAttrs) && !r.atEnd() &&
      !decodeConnectAttributes(r, h.attributes)) {
    return std::nullopt;
  }
  if (!r.atEnd()) return std::nullopt;
  return d;
}

bool decodeConnectAttributes(Reader& r, std::vector<std::pair<std::string, std::string>>& out) {
  uint64_t total;
  std::string_view attrs;
  if (!r.lenenc(total) || !r.bytes(total, attrs)) return false;
  Reader a(attrs);
  while (!a.atEnd()) {
    std::string_view k, v;
    if (!a.lenencString(k) || !a.lenencString(v)) return false;
    out.emplace_back(std::string(k), std::string(v));
  }
  return true;
}

std::string encodeHandshakeResponse(const HandshakeResponse& h) {
  std::string out;
  Writer w(out);
  w.u32(h.capabilities);
  w.u32(h.maxPacketSize);
  w.u8(h.collation);
  w.zeros(23);
  w.nulString(h.user);
  if (h.capabilities & cap::kPluginAuthLenencData) {
    w.lenencString(h.authResponse);
  } else if (h.capabilities & cap::kSecureConnection) {
    // A one-byte length: longer responses need the lenenc capability.
    std::string_view auth = std::string_view(h.authResponse).substr(0, 255);
    w.u8(static_cast<uint8_t>(auth.size()));
    w.bytes(auth);
  } else {
    w.nulString(h.authResponse);
  }
  if (h.capabilities & cap::kConnectWithDb) w.nulString(h.database);
  if (h.capabilities & cap::kPluginAuth) w.nulString(h.authPlugin);
  if (h.capabilities & cap::kConnectAttrs) {
    std::string attrs;
    Writer a(attrs);
    for (const auto& [k, v] : h.attributes) {
      a.lenencString(k);
      a.lenencString(v);
    }
    w.lenencString(attrs);
  }
  return out;
}

}  // namespace shardproxy::protocol
