#include "protocol/ok_err.h"

#include "protocol/buffer.h"

namespace shardproxy::protocol {

void encodeOk(std::string& out, const OkPacket& ok, bool eofHeader) {
  Writer w(out);
  w.u8(eofHeader ? 0xfe : 0x00);
  w.lenenc(ok.affectedRows);
  w.lenenc(ok.lastInsertId);
  w.u16(ok.statusFlags);
  w.u16(ok.warnings);
  // Servers and clients treat the info as a length-encoded string, sent only when non-empty.
  if (!ok.info.empty()) w.lenencString(ok.info);
}

std::optional<OkPacket> decodeOk(std::string_view payload) {
  Reader r(payload);
  OkPacket ok;
  uint8_t header;
  if (!r.u8(header) || (header != 0x00 && header != 0xfe)) return std::nullopt;
  if (!r.lenenc(ok.affectedRows) || !r.lenenc(ok.lastInsertId) || !r.u16(ok.statusFlags) ||
      !r.u16(ok.warnings)) {
    return std::nullopt;
  }
  if (!r.atEnd()) {
    std::string_view info;
    if (!r.lenencString(info) || !r.atEnd()) return std::nullopt;
    ok.info = info;
  }
  return ok;
}

std::string_view cutUtf8(std::string_view text, size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  size_t n = maxBytes;
  // Back off continuation bytes (10xxxxxx) to the start of the character that would be split;
  // at most 3 of them belong to one character.
  for (int i = 0; i < 3 && n > 0 && (static_cast<uint8_t>(text[n]) & 0xc0) == 0x80; ++i) --n;
  return text.substr(0, n);
}

void encodeErr(std::string& out, const ErrPacket& err) {
  Writer w(out);
  w.u8(0xff);
  w.u16(err.code);
  w.u8('#');
  std::string state = err.sqlState;
  state.resize(5, '0');
  w.bytes(state);
  w.bytes(cutUtf8(err.message, kMaxErrorMessageBytes));
}

std::optional<ErrPacket> decodeErr(std::string_view payload) {
  Reader r(payload);
  ErrPacket err;
  uint8_t header, marker;
  std::string_view state;
  if (!r.u8(header) || header != 0xff || !r.u16(err.code) || !r.u8(marker) || marker != '#' ||
      !r.bytes(5, state)) {
    return std::nullopt;
  }
  err.sqlState = state;
  err.message = r.rest();
  return err;
}

void encodeEof(std::string& out, const EofPacket& eof) {
  Writer w(out);
  w.u8(0xfe);
  w.u16(eof.warnings);
  w.u16(eof.statusFlags);
}

std::optional<EofPacket> decodeEof(std::string_view payload) {
  Reader r(payload);
  EofPacket eof;
  uint8_t header;
  if (!r.u8(header) || header != 0xfe || !r.u16(eof.warnings) || !r.u16(eof.statusFlags) ||
      !r.atEnd()) {
    return std::nullopt;
  }
  return eof;
}

}  // namespace shardproxy::protocol
