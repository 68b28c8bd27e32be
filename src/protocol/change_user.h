// COM_CHANGE_USER: a logged-in client logs in again as another (or the same) account, with the
// scramble of its first greeting. The fields after the database are read only when the session's
// capabilities say the client sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/command.h"

namespace shardproxy::protocol {

struct ChangeUserRequest {
  std::string user;
  std::string authResponse;
  std::string database;               // empty: none
  std::optional<uint16_t> collation;  // absent from old clients: the session's stays
  std::string authPlugin;             // with CLIENT_PLUGIN_AUTH; empty otherwise
  std::vector<std::pair<std::string, std::string>> attributes;  // with CLIENT_CONNECT_ATTRS
};

// `capabilities`: the session's (the client's & the server's).
std::optional<ChangeUserRequest> decodeChangeUser(const CommandPacket& c, uint32_t capabilities);
// The whole payload, command byte first (clients and tests).
std::string encodeChangeUser(const ChangeUserRequest& r, uint32_t capabilities);

}  // namespace shardproxy::protocol
