// Fuzz target for the command-phase decoders: decodeCommand and every argument decoder, whatever
// the command byte says (the session picks the decoder, a peer picks the bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/change_user.h"
#include "protocol/command.h"
#include "protocol/constants.h"

namespace {

using namespace shardproxy::protocol;

// `part` is a view into `whole`.
bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto cmd = decodeCommand(payload);
  FUZZ_CHECK(cmd.has_value() == (size > 0));
  if (!cmd) return 0;
  FUZZ_CHECK(static_cast<uint8_t>(cmd->command) == data[0]);
  FUZZ_CHECK(cmd->body.size() == size - 1 && within(cmd->body, payload));
  FUZZ_CHECK(queryText(*cmd) == cmd->body);
  FUZZ_CHECK(initDbSchema(*cmd) == cmd->body);
  if (auto f = decodeFieldList(*cmd)) {
    FUZZ_CHECK(within(f->table, cmd->body) && within(f->wildcard, cmd->body));
    FUZZ_CHECK(f->table.find('\0') == std::string_view::npos);
    FUZZ_CHECK(f->table.size() + 1 + f->wildcard.size() == cmd->body.size());
  }
  auto option = decodeSetOption(*cmd);
  FUZZ_CHECK(option.has_value() == (cmd->body.size() == 2));
  // COM_CHANGE_USER's fields depend on the session's capabilities: every combination that
  // matters, read from the first byte.
  const uint32_t caps = (data[0] & 1 ? cap::kSecureConnection : 0) |
                        (data[0] & 2 ? cap::kPluginAuth : 0) |
                        (data[0] & 4 ? cap::kConnectAttrs : 0) | cap::kProtocol41;
  CommandPacket asChangeUser{Command::kChangeUser, cmd->body};
  if (auto r = decodeChangeUser(asChangeUser, caps)) {
    FUZZ_CHECK(r->user.size() + r->authResponse.size() + r->database.size() +
                   r->authPlugin.size() <=
               cmd->body.size());
  }
  return 0;
}
