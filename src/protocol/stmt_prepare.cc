#include "protocol/stmt_prepare.h"

#include "protocol/buffer.h"

namespace shardproxy::protocol {

void encodeStmtPrepareOk(std::string& out, const StmtPrepareOk& ok) {
  Writer w(out);
  w.u8(0x00);
  w.u32(ok.statementId);
  w.u16(ok.columns);
  w.u16(ok.params);
  w.u8(0x00);
  w.u16(ok.warnings);
}

std::optional<StmtPrepareOk> decodeStmtPrepareOk(std::string_view payload) {
  Reader r(payload);
  StmtPrepareOk ok;
  uint8_t header, reserved;
  // Bytes after the warnings would be the metadata flag of CLIENT_OPTIONAL_RESULTSET_METADATA,
  // which the proxy does not announce: a peer sending them is not speaking our protocol.
  if (!r.u8(header) || header != 0x00 || !r.u32(ok.statementId) || !r.u16(ok.columns) ||
      !r.u16(ok.params) || !r.u8(reserved) || reserved != 0x00 || !r.u16(ok.warnings) ||
      !r.atEnd()) {
    return std::nullopt;
  }
  return ok;
}

}  // namespace shardproxy::protocol
