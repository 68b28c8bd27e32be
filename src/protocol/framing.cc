#include "protocol/framing.h"

#include "protocol/constants.h"

namespace shardproxy::protocol {

namespace {
void appendHeader(std::string& out, size_t len, uint8_t seq) {
  char h[4] = {static_cast<char>(len), static_cast<char>(len >> 8), static_cast<char>(len >> 16),
               static_cast<char>(seq)};
  out.append(h, 4);
}
}  // namespace

void appendPacket(std::string& out, std::string_view payload, uint8_t& seq) {
  for (;;) {
    size_t n = payload.size() < kMaxFramePayload ? payload.size() : kMaxFramePayload;
    appendHeader(out, n, seq++);
    out.append(payload.substr(0, n));
    payload.remove_prefix(n);
    if (n < kMaxFramePayload) return;
  }
}

size_t beginPacket(std::string& out) {
  size_t pos = out.size();
  out.append(4, '\0');
  return pos;
}

void finishPacket(std::string& out, size_t headerPos, uint8_t& seq) {
  size_t len = out.size() - headerPos - 4;
  if (len < kMaxFramePayload) {
    out[headerPos] = static_cast<char>(len);
    out[headerPos + 1] = static_cast<char>(len >> 8);
    out[headerPos + 2] = static_cast<char>(len >> 16);
    out[headerPos + 3] = static_cast<char>(seq++);
    return;
  }
  // Large payload: re-frame it. Rare, so a copy is fine.
  std::string payload = out.substr(headerPos + 4);
  out.resize(headerPos);
  appendPacket(out, payload, seq);
}

FrameDecoder::Result FrameDecoder::next(std::string_view& in) {
  if (done_) {
    payload_.clear();
    done_ = false;
  }
  while (!in.empty()) {
    if (!inFrame_) {
      size_t need = 4 - header_.size();
      size_t take = in.size() < need ? in.size() : need;
      header_.append(in.substr(0, take));
      in.remove_prefix(take);
      if (header_.size() < 4) return Result::kNeedMore;
      auto b = [&](int i) { return static_cast<size_t>(static_cast<uint8_t>(header_[i])); };
      size_t len = b(0) | (b(1) << 8) | (b(2) << 16);
      uint8_t seq = static_cast<uint8_t>(header_[3]);
      header_.clear();
      if (seq != seq_) return Result::kOutOfOrder;
      ++seq_;
      if (payload_.size() + len > maxPayload_) return Result::kTooLarge;
      frameLeft_ = len;
      lastFrame_ = len < kMaxFramePayload;
      inFrame_ = true;
      if (payload_.capacity() < payload_.size() + len) payload_.reserve(payload_.size() + len);
    }
    size_t take = in.size() < frameLeft_ ? in.size() : frameLeft_;
    payload_.append(in.substr(0, take));
    in.remove_prefix(take);
    frameLeft_ -= take;
    if (frameLeft_ == 0) {
      inFrame_ = false;
      if (lastFrame_) {
        done_ = true;
        return Result::kPacket;
      }
    }
  }
  if (inFrame_ && frameLeft_ == 0) {
    inFrame_ = false;
    if (lastFrame_) {
      done_ = true;
      return Result::kPacket;
    }
  }
  return Result::kNeedMore;
}

}  // namespace shardproxy::protocol
