// LOAD DATA LOCAL INFILE on the wire: the server asks the client for a file with a request packet
// (0xfb, then the file name to the end of the packet); the client answers with the file's bytes in
// packets of any size and an empty packet at the end (also when it cannot read the file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

inline constexpr uint8_t kLocalInfileHeader = 0xfb;

// Appends the request payload for `fileName` (the name as the statement wrote it, unquoted).
void encodeLocalInfileRequest(std::string& out, std::string_view fileName);
// The file name of a request payload; nullopt when the payload is not one (a client reads any
// other first byte as OK, ERR or a result set).
std::optional<std::string_view> decodeLocalInfileRequest(std::string_view payload);

// Whether a packet the client sends after the request ends the file: the empty packet.
inline bool endsLocalInfile(std::string_view payload) { return payload.empty(); }

}  // namespace shardproxy::protocol
