#include "protocol/buffer.h"

#include <cstring>

namespace shardproxy::protocol {

bool Reader::fixedInt(size_t n, uint64_t& v) {
  if (remaining() < n) return false;
  uint64_t r = 0;
  for (size_t i = 0; i < n; ++i) {
    r |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += n;
  v = r;
  return true;
}

bool Reader::u8(uint8_t& v) {
  uint64_t r;
  if (!fixedInt(1, r)) return false;
  v = static_cast<uint8_t>(r);
  return true;
}
bool Reader::u16(uint16_t& v) {
  uint64_t r;
  if (!fixedInt(2, r)) return false;
  v = static_cast<uint16_t>(r);
  return true;
}
bool Reader::u24(uint32_t& v) {
  uint64_t r;
  if (!fixedInt(3, r)) return false;
  v = static_cast<uint32_t>(r);
  return true;
}
bool Reader::u32(uint32_t& v) {
  uint64_t r;
  if (!fixedInt(4, r)) return false;
  v = static_cast<uint32_t>(r);
  return true;
}
bool Reader::u64(uint64_t& v) { return fixedInt(8, v); }

bool Reader::lenenc(uint64_t& v) {
  if (atEnd()) return false;
  uint8_t first = peek();
  size_t save = pos_;
  if (first < 0xfb) {
    ++pos_;
    v = first;
    return true;
  }
  size_t width = first == 0xfc ? 2 : first == 0xfd ? 3 : first == 0xfe ? 8 : 0;
  if (width == 0) return false;  // 0xfb (NULL) or 0xff (error marker)
  ++pos_;
  if (!fixedInt(width, v)) {
    pos_ = save;
    return false;
  }
  return true;
}

bool Reader::lenencString(std::string_view& v) {
  size_t save = pos_;
  uint64_t len;
  if (!lenenc(len)) return false;
  if (len > remaining()) {
    pos_ = save;
    return false;
  }
  v = data_.substr(pos_, len);
  pos_ += len;
  return true;
}

bool Reader::nulString(std::string_view& v) {
  size_t end = data_.find('\0', pos_);
  if (end == std::string_view::npos) return false;
  v = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return true;
}

bool Reader::bytes(size_t n, std::string_view& v) {
  if (remaining() < n) return false;
  v = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::skip(size_t n) {
  if (remaining() < n) return false;
  pos_ += n;
  return true;
}

std::string_view Reader::rest() {
  std::string_view r = data_.substr(pos_);
  pos_ = data_.size();
  return r;
}

void Writer::u16(uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out_.append(b, 2);
}
void Writer::u24(uint32_t v) {
  char b[3] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16)};
  out_.append(b, 3);
}
void Writer::u32(uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out_.append(b, 4);
}
void Writer::u64(uint64_t v) {
  u32(static_cast<uint32_t>(v));
  u32(static_cast<uint32_t>(v >> 32));
}

void Writer::lenenc(uint64_t v) {
  if (v < 0xfb) {
    u8(static_cast<uint8_t>(v));
  } else if (v <= 0xffff) {
    u8(0xfc);
    u16(static_cast<uint16_t>(v));
  } else if (v <= 0xffffff) {
    u8(0xfd);
    u24(static_cast<uint32_t>(v));
  } else {
    u8(0xfe);
    u64(v);
  }
}

void Writer::lenencString(std::string_view v) {
  lenenc(v.size());
  out_.append(v);
}

void Writer::nulString(std::string_view v) {
  out_.append(v);
  out_.push_back('\0');
}

size_t lenencSize(uint64_t v) {
  if (v < 0xfb) return 1;
  if (v <= 0xffff) return 3;
  if (v <= 0xffffff) return 4;
  return 9;
}

}  // namespace shardproxy::protocol
