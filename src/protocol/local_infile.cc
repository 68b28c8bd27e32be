#include "protocol/local_infile.h"

namespace shardproxy::protocol {

void encodeLocalInfileRequest(std::string& out, std::string_view fileName) {
  out.push_back(static_cast<char>(kLocalInfileHeader));
  out.append(fileName);
}

std::optional<std::string_view> decodeLocalInfileRequest(std::string_view payload) {
  if (payload.empty() || static_cast<uint8_t>(payload[0]) != kLocalInfileHeader) {
    return std::nullopt;
  }
  return payload.substr(1);
}

}  // namespace shardproxy::protocol
