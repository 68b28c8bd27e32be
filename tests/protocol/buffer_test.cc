// Wire types: fixed and length-encoded integers, and the three string encodings.
#include "protocol/buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

struct FixedIntCase {
  const char* hex;
  size_t width;
  uint64_t value;
};

constexpr FixedIntCase kFixedInts[] = {
    {"00", 1, 0},
    {"ff", 1, 0xff},
    {"3412", 2, 0x1234},
    {"ffff", 2, 0xffff},
    {"563412", 3, 0x123456},
    {"ffffff", 3, 0xffffff},
    {"78563412", 4, 0x12345678},
    {"ffffffff", 4, 0xffffffff},
    {"efcdab8967452301", 8, 0x0123456789abcdef},
    {"ffffffffffffffff", 8, std::numeric_limits<uint64_t>::max()},
};

TEST(ReaderTest, FixedIntsAreLittleEndian) {
  for (const auto& c : kFixedInts) {
    SCOPED_TRACE(c.hex);
    std::string bytes = fromHex(c.hex);
    uint64_t generic = 0;
    Reader g(bytes);
    ASSERT_TRUE(g.fixedInt(c.width, generic));
    EXPECT_EQ(generic, c.value);
    EXPECT_TRUE(g.atEnd());

    Reader r(bytes);
    uint64_t typed = 0;
    switch (c.width) {
      case 1: {
        uint8_t v = 0;
        ASSERT_TRUE(r.u8(v));
        typed = v;
        break;
      }
      case 2: {
        uint16_t v = 0;
        ASSERT_TRUE(r.u16(v));
        typed = v;
        break;
      }
      case 3: {
        uint32_t v = 0;
        ASSERT_TRUE(r.u24(v));
        typed = v;
        break;
      }
      case 4: {
        uint32_t v = 0;
        ASSERT_TRUE(r.u32(v));
        typed = v;
        break;
      }
      case 8:
        ASSERT_TRUE(r.u64(typed));
        break;
    }
    EXPECT_EQ(typed, c.value);
    EXPECT_TRUE(r.atEnd());
  }
}

TEST(ReaderTest, ShortFixedIntFailsAndLeavesOutputAndPosition) {
  for (const auto& c : kFixedInts) {
    std::string bytes = fromHex(c.hex);
    for (size_t n = 0; n < bytes.size(); ++n) {
      SCOPED_TRACE(std::string(c.hex) + " cut to " + std::to_string(n));
      Reader r(std::string_view(bytes).substr(0, n));
      uint64_t v = 42;
      EXPECT_FALSE(r.fixedInt(c.width, v));
      EXPECT_EQ(v, 42u);
      EXPECT_EQ(r.remaining(), n);
    }
  }
  Reader r("");
  uint8_t v8 = 7;
  uint16_t v16 = 7;
  uint32_t v32 = 7;
  uint64_t v64 = 7;
  EXPECT_FALSE(r.u8(v8));
  EXPECT_FALSE(r.u16(v16));
  EXPECT_FALSE(r.u24(v32));
  EXPECT_FALSE(r.u32(v32));
  EXPECT_FALSE(r.u64(v64));
  EXPECT_EQ(v8, 7);
  EXPECT_EQ(v16, 7);
  EXPECT_EQ(v32, 7u);
  EXPECT_EQ(v64, 7u);
}

TEST(WriterTest, FixedIntsAreLittleEndian) {
  std::string out;
  Writer w(out);
  w.u8(0xab);
  w.u16(0x1234);
  w.u24(0x123456);
  w.u32(0x12345678);
  w.u64(0x0123456789abcdef);
  EXPECT_BYTES_EQ(fromHex("ab"
                          "3412"
                          "563412"
                          "78563412"
                          "efcdab8967452301"),
                  out);
}

// Length-encoded integers at every width boundary: 1 byte below 251, then 0xfc + 2 bytes,
// 0xfd + 3 bytes, 0xfe + 8 bytes.
struct LenencCase {
  uint64_t value;
  const char* hex;
};

constexpr LenencCase kLenencs[] = {
    {0, "00"},
    {1, "01"},
    {250, "fa"},                                                    // largest 1-byte value
    {251, "fc fb00"},                                               // 0xfb would mean NULL
    {0xffff, "fc ffff"},                                            // largest 2-byte value
    {0x10000, "fd 000001"},                                         // smallest 3-byte value
    {0xffffff, "fd ffffff"},                                        // largest 3-byte value
    {0x1000000, "fe 0000000100000000"},                             // smallest 8-byte value
    {0xffffffffULL, "fe ffffffff00000000"},                         //
    {std::numeric_limits<uint64_t>::max(), "fe ffffffffffffffff"},  //
};

TEST(LenencTest, DecodesEveryWidth) {
  for (const auto& c : kLenencs) {
    SCOPED_TRACE(c.hex);
    std::string bytes = fromHex(c.hex);
    Reader r(bytes);
    uint64_t v = 0;
    ASSERT_TRUE(r.lenenc(v));
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(r.atEnd());
  }
}

TEST(LenencTest, EncodesTheShortestForm) {
  for (const auto& c : kLenencs) {
    SCOPED_TRACE(c.hex);
    std::string out;
    Writer(out).lenenc(c.value);
    EXPECT_BYTES_EQ(fromHex(c.hex), out);
    EXPECT_EQ(lenencSize(c.value), out.size());
  }
}

TEST(LenencTest, RoundTripsAroundEveryBoundary) {
  for (uint64_t boundary : {uint64_t{251}, uint64_t{0x10000}, uint64_t{0x1000000}}) {
    for (uint64_t v = boundary - 2; v <= boundary + 1; ++v) {
      std::string out;
      Writer(out).lenenc(v);
      Reader r(out);
      uint64_t back = 0;
      ASSERT_TRUE(r.lenenc(back)) << v;
      EXPECT_EQ(back, v);
      EXPECT_TRUE(r.atEnd());
    }
  }
}

TEST(LenencTest, LeavesFollowingBytesUnread) {
  std::string bytes = fromHex("fc 2c01 aa");
  Reader r(bytes);
  uint64_t v = 0;
  ASSERT_TRUE(r.lenenc(v));
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(r.remaining(), 1u);
}

// A longer form than needed is still a valid encoding of the value; MySQL accepts it too.
TEST(LenencTest, AcceptsNonMinimalEncoding) {
  std::string bytes = fromHex("fc 0100");
  Reader r(bytes);
  uint64_t v = 0;
  ASSERT_TRUE(r.lenenc(v));
  EXPECT_EQ(v, 1u);
}

TEST(LenencTest, RejectsNullMarkerErrorMarkerAndTruncation) {
  const char* kBad[] = {
      "",                  // nothing
      "fb",                // NULL marker: a value, not an integer
      "ff",                // ERR packet marker
      "ff 0000",           // ...even with bytes after it
      "fc",                // 2-byte form, no bytes
      "fc 01",             // 2-byte form, 1 byte
      "fd 0102",           // 3-byte form, 2 bytes
      "fe 01020304050607"  // 8-byte form, 7 bytes
  };
  for (const char* hex : kBad) {
    SCOPED_TRACE(hex);
    std::string bytes = fromHex(hex);
    Reader r(bytes);
    uint64_t v = 99;
    EXPECT_FALSE(r.lenenc(v));
    EXPECT_EQ(v, 99u);
    EXPECT_EQ(r.remaining(), bytes.size()) << "a failed read must not consume";
  }
}

TEST(LenencStringTest, Decodes) {
  std::string bytes = fromHex(
      "03 616263"  // "abc"
      "00"         // ""
      "01 00");    // "\0": the content is opaque
  Reader r(bytes);
  std::string_view a, b, c;
  ASSERT_TRUE(r.lenencString(a));
  ASSERT_TRUE(r.lenencString(b));
  ASSERT_TRUE(r.lenencString(c));
  EXPECT_EQ(a, "abc");
  EXPECT_EQ(b, "");
  EXPECT_EQ(c, std::string_view("\0", 1));
  EXPECT_TRUE(r.atEnd());
}

TEST(LenencStringTest, LongStringsUseWiderLengths) {
  for (size_t n : {size_t{250}, size_t{251}, size_t{300}, size_t{0xffff}, size_t{0x10000}}) {
    std::string value = test::patternBytes(n);
    std::string out;
    Writer(out).lenencString(value);
    ASSERT_EQ(out.size(), lenencSize(n) + n);
    Reader r(out);
    std::string_view back;
    ASSERT_TRUE(r.lenencString(back));
    EXPECT_EQ(back, value);
    EXPECT_TRUE(r.atEnd());
  }
  std::string out;
  Writer(out).lenencString(std::string(300, 'x'));
  EXPECT_BYTES_EQ(fromHex("fc 2c01"), out.substr(0, 3));
}

TEST(LenencStringTest, RejectsShortOrNull) {
  const char* kBad[] = {
      "",          // nothing
      "03 6162",   // length 3, 2 bytes
      "fc 0001",   // length 256, no bytes
      "fb",        // NULL
      "ff 01 61",  // error marker
  };
  for (const char* hex : kBad) {
    SCOPED_TRACE(hex);
    std::string bytes = fromHex(hex);
    Reader r(bytes);
    std::string_view v = "untouched";
    EXPECT_FALSE(r.lenencString(v));
    EXPECT_EQ(v, "untouched");
    EXPECT_EQ(r.remaining(), bytes.size());
  }
}

// A length near 2^64 must not wrap around when compared with what is left.
TEST(LenencStringTest, RejectsHugeLength) {
  std::string bytes = fromHex("fe ffffffffffffffff 61");
  Reader r(bytes);
  std::string_view v;
  EXPECT_FALSE(r.lenencString(v));
}

TEST(NulStringTest, Decodes) {
  std::string bytes = fromHex(
      "726f6f74 00"  // "root\0"
      "00"           // "\0"
      "78");         // rest
  Reader r(bytes);
  std::string_view a, b;
  ASSERT_TRUE(r.nulString(a));
  ASSERT_TRUE(r.nulString(b));
  EXPECT_EQ(a, "root");
  EXPECT_EQ(b, "");
  EXPECT_EQ(r.rest(), "x");
  EXPECT_TRUE(r.atEnd());
}

TEST(NulStringTest, RejectsMissingTerminator) {
  for (const char* hex : {"", "61", "726f6f74"}) {
    std::string bytes = fromHex(hex);
    Reader r(bytes);
    std::string_view v = "untouched";
    EXPECT_FALSE(r.nulString(v)) << hex;
    EXPECT_EQ(v, "untouched");
    EXPECT_EQ(r.remaining(), bytes.size());
  }
}

TEST(ReaderTest, BytesSkipRestPeek) {
  std::string bytes = fromHex("01 0203 040506");
  Reader r(bytes);
  EXPECT_EQ(r.peek(), 0x01);
  ASSERT_TRUE(r.skip(1));
  std::string_view two;
  ASSERT_TRUE(r.bytes(2, two));
  EXPECT_BYTES_EQ(fromHex("0203"), two);
  std::string_view tooMany = "untouched";
  EXPECT_FALSE(r.bytes(4, tooMany));
  EXPECT_EQ(tooMany, "untouched");
  EXPECT_FALSE(r.skip(4));
  EXPECT_EQ(r.remaining(), 3u);
  std::string_view zero;
  EXPECT_TRUE(r.bytes(0, zero));
  EXPECT_TRUE(zero.empty());
  EXPECT_BYTES_EQ(fromHex("040506"), r.rest());
  EXPECT_TRUE(r.atEnd());
  EXPECT_EQ(r.rest(), "");
  EXPECT_TRUE(r.skip(0));
  EXPECT_FALSE(r.skip(1));
}

TEST(WriterTest, Strings) {
  std::string out = "prefix";
  Writer w(out);
  w.nulString("root");
  w.lenencString("abc");
  w.bytes("xy");
  w.zeros(3);
  EXPECT_BYTES_EQ(std::string("prefix") + fromHex("726f6f7400 03616263 7879 000000"), out);
  EXPECT_EQ(&w.out(), &out);
}

}  // namespace
}  // namespace shardproxy::protocol
