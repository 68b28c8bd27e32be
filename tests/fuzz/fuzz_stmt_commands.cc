// Fuzz target for the small prepared statement messages: COM_STMT_PREPARE_OK (the whole input)
// and, after decodeCommand, statementIdOf and the SEND_LONG_DATA, CLOSE, RESET and FETCH
// decoders whatever the command byte says. Their layouts are fixed, so what decodes is known
// from the size alone, and PREPARE_OK re-encodes to the very same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/command.h"
#include "protocol/stmt_commands.h"
#include "protocol/stmt_execute.h"
#include "protocol/stmt_prepare.h"

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
  if (auto ok = decodeStmtPrepareOk(payload)) {
    FUZZ_CHECK(size == 12);
    std::string out;
    encodeStmtPrepareOk(out, *ok);
    FUZZ_CHECK(out == payload);
  }

  auto cmd = decodeCommand(payload);
  if (!cmd) return 0;
  size_t n = cmd->body.size();
  auto id = statementIdOf(*cmd);
  FUZZ_CHECK(id.has_value() == (n >= 4));
  auto send = decodeStmtSendLongData(*cmd);
  FUZZ_CHECK(send.has_value() == (n >= 6));
  if (send) {
    FUZZ_CHECK(send->statementId == *id);
    FUZZ_CHECK(send->data.size() == n - 6 && within(send->data, cmd->body));
  }
  auto close = decodeStmtClose(*cmd);
  auto reset = decodeStmtReset(*cmd);
  FUZZ_CHECK(close.has_value() == (n == 4) && reset.has_value() == (n == 4));
  FUZZ_CHECK(!close || (*close == *id && *reset == *id));
  auto fetch = decodeStmtFetch(*cmd);
  FUZZ_CHECK(fetch.has_value() == (n == 8));
  FUZZ_CHECK(!fetch || fetch->statementId == *id);
  return 0;
}
