// Connection phase messages: the server's Handshake V10 greeting and the client's
// HandshakeResponse41.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shardproxy::protocol {

struct ServerGreeting {
  std::string serverVersion;
  uint32_t connectionId = 0;
  std::string scramble;  // kScrambleLength bytes
  uint32_t capabilities = 0;
  uint8_t collation = 0;
  uint16_t statusFlags = 0;
  std::string authPlugin;
};

std::string encodeGreeting(const ServerGreeting& g);
std::optional<ServerGreeting> decodeGreeting(std::string_view payload);

struct HandshakeResponse {
  uint32_t capabilities = 0;
  uint32_t maxPacketSize = 0;
  uint8_t collation = 0;
  std::string user;
  std::string authResponse;
  std::string database;  // empty unless kConnectWithDb
  std::string authPlugin;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// The client may announce TLS with a 32-byte SSLRequest; it is decoded as a response whose
// user is empty and `sslRequest` true.
struct DecodedResponse {
  HandshakeResponse response;
  bool sslRequest = false;
};

class Reader;
// The connection attributes block (CLIENT_CONNECT_ATTRS): a length, then key / value pairs, as
// in the handshake response and COM_CHANGE_USER. False when it is malformed.
bool decodeConnectAttributes(Reader& r, std::vector<std::pair<std::string, std::string>>& out);

std::optional<DecodedResponse> decodeHandshakeResponse(std::string_view payload);
std::string encodeHandshakeResponse(const HandshakeResponse& r);

}  // namespace shardproxy::protocol
