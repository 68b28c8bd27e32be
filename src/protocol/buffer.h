// Bounds-checked readers and writers for the MySQL wire types (fixed and length-encoded
// integers, length-encoded, NUL-terminated and rest-of-packet strings).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

// Reads from a payload; every read returns false (and leaves the output untouched) when the
// payload is too short, so a decoder can bail out on the first failure.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool u8(uint8_t& v);
  bool u16(uint16_t& v);
  bool u24(uint32_t& v);
  bool u32(uint32_t& v);
  bool u64(uint64_t& v);
  bool fixedInt(size_t bytes, uint64_t& v);
  // Length-encoded integer. 0xfb (NULL) and 0xff are rejected here.
  bool lenenc(uint64_t& v);
  bool lenencString(std::string_view& v);
  bool nulString(std::string_view& v);
  bool bytes(size_t n, std::string_view& v);
  bool skip(size_t n);
  std::string_view rest();

  size_t remaining() const { return data_.size() - pos_; }
  bool atEnd() const { return pos_ == data_.size(); }
  uint8_t peek() const { return static_cast<uint8_t>(data_[pos_]); }  // requires !atEnd()

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Appends wire types to a byte string.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void lenenc(uint64_t v);
  void lenencString(std::string_view v);
  void nulString(std::string_view v);
  void bytes(std::string_view v) { out_.append(v); }
  void zeros(size_t n) { out_.append(n, '\0'); }

  std::string& out() { return out_; }

 private:
  std::string& out_;
};

// Number of bytes lenenc(v) takes on the wire.
size_t lenencSize(uint64_t v);

}  // namespace shardproxy::protocol
