// Command phase requests the proxy decodes: the command byte and each command's arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/constants.h"

namespace shardproxy::protocol {

// Any payload with at least one byte is a command; the rest is its argument block.
struct CommandPacket {
  Command command;
  std::string_view body;
};
std::optional<CommandPacket> decodeCommand(std::string_view payload);

// COM_QUERY: the statement text (ignoring query attributes, which need a capability the
// proxy does not announce).
std::string_view queryText(const CommandPacket& c);

// COM_INIT_DB: schema name.
std::string_view initDbSchema(const CommandPacket& c);

// COM_FIELD_LIST: table (NUL-terminated) and a wildcard (rest).
struct FieldList {
  std::string_view table;
  std::string_view wildcard;
};
std::optional<FieldList> decodeFieldList(const CommandPacket& c);

// COM_SET_OPTION: 0 = multi statements on, 1 = off.
std::optional<uint16_t> decodeSetOption(const CommandPacket& c);

}  // namespace shardproxy::protocol
