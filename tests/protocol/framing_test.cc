// Packet framing: splitting payloads into frames, including the multi-frame case at 16 MiB, and
// the sans-I/O frame decoder fed in every possible way.
#include "protocol/framing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;
using Result = FrameDecoder::Result;

constexpr size_t kMax = kMaxFramePayload;  // 0xffffff

struct Frame {
  size_t length;
  uint8_t seq;
  bool operator==(const Frame&) const = default;
};

void PrintTo(const Frame& f, std::ostream* os) {
  *os << "{" << f.length << ", seq " << int{f.seq} << "}";
}

// Splits an encoded stream into its frame headers; fails the test on a malformed stream.
std::vector<Frame> framesOf(std::string_view stream) {
  std::vector<Frame> frames;
  while (!stream.empty()) {
    EXPECT_GE(stream.size(), 4u);
    if (stream.size() < 4) break;
    auto b = [&](int i) { return static_cast<size_t>(static_cast<uint8_t>(stream[i])); };
    size_t len = b(0) | b(1) << 8 | b(2) << 16;
    frames.push_back({len, static_cast<uint8_t>(stream[3])});
    stream.remove_prefix(4);
    EXPECT_GE(stream.size(), len);
    if (stream.size() < len) break;
    stream.remove_prefix(len);
  }
  return frames;
}

// The frames a payload of `size` bytes must produce, sequence ids from `seq` on.
std::vector<Frame> expectedFrames(size_t size, uint8_t seq) {
  std::vector<Frame> frames;
  for (;;) {
    size_t n = size < kMax ? size : kMax;
    frames.push_back({n, seq++});
    size -= n;
    if (n < kMax) return frames;
  }
}

// Payload sizes around the frame boundary and the 20 MiB case.
const size_t kSizes[] = {
    0, 1, 250, kMax - 1, kMax, kMax + 1, 2 * kMax, 2 * kMax + 1, 20 * 1024 * 1024,
};

std::string encode(std::string_view payload, uint8_t firstSeq = 0) {
  std::string out;
  uint8_t seq = firstSeq;
  appendPacket(out, payload, seq);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

TEST(AppendPacketTest, SmallPacketsLiteral) {
  struct Case {
    std::string payload;
    uint8_t seq;
    const char* hex;
  };
  const Case kCases[] = {
      {"", 0,
       "000000"  // length 0
       "00"},    // seq 0
      {"\x01", 0,
       "010000"  // length 1
       "00"      // seq 0
       "01"},    // COM_QUIT
      {"\x03SELECT 1", 3,
       "090000"                 // length 9
       "03"                     // seq 3
       "03 53454c4543542031"},  // COM_QUERY "SELECT 1"
  };
  for (const auto& c : kCases) {
    std::string out;
    uint8_t seq = c.seq;
    appendPacket(out, c.payload, seq);
    EXPECT_BYTES_EQ(fromHex(c.hex), out);
    EXPECT_EQ(seq, c.seq + 1);
  }
}

TEST(AppendPacketTest, FrameLayoutForEverySize) {
  for (size_t size : kSizes) {
    SCOPED_TRACE(size);
    std::string payload = test::patternBytes(size, static_cast<uint32_t>(size));
    std::string out;
    uint8_t seq = 7;
    appendPacket(out, payload, seq);
    std::vector<Frame> frames = framesOf(out);
    EXPECT_EQ(frames, expectedFrames(size, 7));
    EXPECT_EQ(seq, static_cast<uint8_t>(7 + frames.size()));
    EXPECT_EQ(out.size(), size + 4 * frames.size());
    // The payload is the frames' bodies in order.
    std::string joined;
    std::string_view rest = out;
    for (const auto& f : frames) {
      joined.append(rest.substr(4, f.length));
      rest.remove_prefix(4 + f.length);
    }
    EXPECT_TRUE(joined == payload);
  }
}

TEST(AppendPacketTest, ExactMultipleOfMaxEndsWithEmptyFrame) {
  std::string out = encode(std::string(kMax, 'a'));
  ASSERT_EQ(out.size(), kMax + 8);
  EXPECT_BYTES_EQ(fromHex("ffffff 00"), out.substr(0, 4));
  EXPECT_BYTES_EQ(fromHex("000000 01"), out.substr(4 + kMax));

  out = encode(std::string(kMax - 1, 'a'));
  EXPECT_EQ(framesOf(out), (std::vector<Frame>{{kMax - 1, 0}}));

  out = encode(std::string(2 * kMax, 'a'));
  EXPECT_EQ(framesOf(out), (std::vector<Frame>{{kMax, 0}, {kMax, 1}, {0, 2}}));
}

TEST(AppendPacketTest, SequenceIdWrapsAround) {
  std::string out;
  uint8_t seq = 255;
  appendPacket(out, std::string(kMax + 1, 'a'), seq);
  EXPECT_EQ(framesOf(out), (std::vector<Frame>{{kMax, 255}, {1, 0}}));
  EXPECT_EQ(seq, 1);
}

TEST(FinishPacketTest, SameBytesAsAppendPacket) {
  for (size_t size : kSizes) {
    SCOPED_TRACE(size);
    std::string payload = test::patternBytes(size, 3);
    std::string expected = "earlier";
    uint8_t expectedSeq = 4;
    appendPacket(expected, payload, expectedSeq);

    std::string out = "earlier";
    size_t header = beginPacket(out);
    EXPECT_EQ(header, 7u);
    out.append(payload);
    uint8_t seq = 4;
    finishPacket(out, header, seq);
    EXPECT_EQ(seq, expectedSeq);
    ASSERT_EQ(out.size(), expected.size());
    EXPECT_TRUE(out == expected) << "first difference at "
                                 << std::mismatch(out.begin(), out.end(), expected.begin()).first -
                                        out.begin();
  }
}

TEST(FinishPacketTest, SeveralPacketsInOneBuffer) {
  std::string out;
  uint8_t seq = 1;
  for (const char* p : {"abc", "", "de"}) {
    size_t h = beginPacket(out);
    out.append(p);
    finishPacket(out, h, seq);
  }
  EXPECT_BYTES_EQ(fromHex("030000 01 616263"
                          "000000 02"
                          "020000 03 6465"),
                  out);
  EXPECT_EQ(seq, 4);
}

// ---------------------------------------------------------------------------------------------
// Decoding

// Feeds `stream` to a decoder in chunks chosen by `nextChunk(position)` and collects every
// packet.
template <typename ChunkFn>
std::vector<std::string> decodeAll(std::string_view stream, size_t maxPayload, ChunkFn nextChunk,
                                   Result* last = nullptr) {
  FrameDecoder d(maxPayload);
  std::vector<std::string> packets;
  Result r = Result::kNeedMore;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t n = std::min(std::max<size_t>(nextChunk(pos), 1), stream.size() - pos);
    std::string_view chunk = stream.substr(pos, n);
    pos += n;
    while (!chunk.empty()) {
      r = d.next(chunk);
      if (r == Result::kPacket) {
        packets.push_back(std::move(d.payload()));
        continue;
      }
      if (r != Result::kNeedMore) {
        if (last) *last = r;
        return packets;
      }
      EXPECT_TRUE(chunk.empty()) << "kNeedMore must consume the whole input";
    }
  }
  if (last) *last = r;
  return packets;
}

// Feeding 20 MiB one byte at a time takes half a minute under AddressSanitizer, and the bytes
// deep inside a frame all take the same path. So "byte by byte" means: every byte within
// kNear of a frame header, one jump across the rest of the frame body.
constexpr size_t kNear = 64 * 1024;

// Bytes from `pos` to the first position that is near a frame header again.
size_t farStretch(size_t pos) {
  const size_t frame = kMax + 4;
  size_t offset = pos % frame;
  if (offset < kNear || offset + kNear >= frame) return 0;
  return frame - kNear - offset;
}

TEST(FrameDecoderTest, DecodesLiteralPacket) {
  std::string stream = fromHex(
      "090000"               // length 9
      "00"                   // seq 0
      "03 53454c4543542031"  // COM_QUERY "SELECT 1"
      "ff");                 // first byte of the next packet
  FrameDecoder d(1024);
  std::string_view in = stream;
  ASSERT_EQ(d.next(in), Result::kPacket);
  EXPECT_EQ(d.payload(), "\x03SELECT 1");
  EXPECT_EQ(in.size(), 1u) << "bytes after the packet stay in the input";
  EXPECT_EQ(d.expectedSeq(), 1);
  EXPECT_EQ(d.next(in), Result::kNeedMore);
  EXPECT_TRUE(in.empty());
}

TEST(FrameDecoderTest, WholeStreamOneByteAtATimeAndInRandomChunks) {
  std::mt19937 rng(20240611);
  for (size_t size : kSizes) {
    SCOPED_TRACE(size);
    std::string payload = test::patternBytes(size, static_cast<uint32_t>(size) + 1);
    std::string stream = encode(payload);
    for (int mode = 0; mode < 4; ++mode) {
      SCOPED_TRACE(mode);
      std::uniform_int_distribution<size_t> small(1, 7);
      std::uniform_int_distribution<size_t> large(1, 3 * kMax / 2);
      auto chunk = [&](size_t pos) -> size_t {
        switch (mode) {
          case 0:
            return stream.size();  // all at once
          case 1:
            return std::max<size_t>(farStretch(pos), 1);  // byte by byte
          case 2:
            return std::max(farStretch(pos), small(rng));  // splits every header
          default:
            return large(rng);  // splits payloads across frames
        }
      };
      Result last = Result::kNeedMore;
      auto packets = decodeAll(stream, 32 * 1024 * 1024, chunk, &last);
      EXPECT_EQ(last, Result::kPacket);
      ASSERT_EQ(packets.size(), 1u);
      EXPECT_EQ(packets[0].size(), payload.size());
      EXPECT_TRUE(packets[0] == payload);
    }
  }
}

TEST(FrameDecoderTest, SeveralPacketsInOneBuffer) {
  std::string stream;
  uint8_t seq = 0;
  const std::vector<std::string> payloads = {"\x0e", "", std::string(kMax, 'b'), "\x03x",
                                             std::string(300, 'c')};
  for (const auto& p : payloads) appendPacket(stream, p, seq);

  FrameDecoder d(2 * kMax);
  std::string_view in = stream;
  for (const auto& p : payloads) {
    ASSERT_EQ(d.next(in), Result::kPacket);
    EXPECT_TRUE(d.payload() == p) << p.size();
  }
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(d.expectedSeq(), seq);
  EXPECT_EQ(d.next(in), Result::kNeedMore);

  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> dist(1, 1000);
  auto packets = decodeAll(stream, 2 * kMax, [&](size_t) { return dist(rng); });
  EXPECT_TRUE(packets == payloads);
}

TEST(FrameDecoderTest, EveryPrefixNeedsMore) {
  std::string stream = encode(std::string(kMax + 3, 'z'));
  // Cut points: inside the first header, inside the first frame, at the frame boundary, inside
  // the second header, inside the second frame.
  for (size_t cut : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, kMax + 3, kMax + 4,
                     kMax + 5, kMax + 7, kMax + 9, stream.size() - 1}) {
    FrameDecoder d(2 * kMax);
    std::string_view in = std::string_view(stream).substr(0, cut);
    EXPECT_EQ(d.next(in), Result::kNeedMore) << cut;
    EXPECT_TRUE(in.empty());
    std::string_view rest = std::string_view(stream).substr(cut);
    EXPECT_EQ(d.next(rest), Result::kPacket) << cut;
    EXPECT_EQ(d.payload().size(), kMax + 3);
  }
  std::string small = fromHex("050000 00 0102030405");
  for (size_t cut = 0; cut < small.size(); ++cut) {
    FrameDecoder d(100);
    std::string_view in = std::string_view(small).substr(0, cut);
    EXPECT_EQ(d.next(in), Result::kNeedMore) << cut;
  }
}

TEST(FrameDecoderTest, EmptyInputNeedsMore) {
  FrameDecoder d(100);
  std::string_view in;
  EXPECT_EQ(d.next(in), Result::kNeedMore);
  EXPECT_EQ(d.expectedSeq(), 0);
}

TEST(FrameDecoderTest, SequenceIdMismatchIsOutOfOrder) {
  {
    std::string stream = fromHex("010000 01 0e");  // seq 1, expected 0
    FrameDecoder d(100);
    std::string_view in = stream;
    EXPECT_EQ(d.next(in), Result::kOutOfOrder);
  }
  {
    // Second frame of a multi-frame packet with a skipped id.
    std::string stream = encode(std::string(kMax + 1, 'a'));
    stream[kMax + 4 + 3] = 5;
    FrameDecoder d(2 * kMax);
    std::string_view in = stream;
    EXPECT_EQ(d.next(in), Result::kOutOfOrder);
  }
  {
    // The next packet must continue the sequence unless the caller resets it.
    std::string stream = encode("a") + encode("b");  // both seq 0
    FrameDecoder d(100);
    std::string_view in = stream;
    ASSERT_EQ(d.next(in), Result::kPacket);
    EXPECT_EQ(d.next(in), Result::kOutOfOrder);
  }
  {
    std::string stream = encode("a") + encode("b");
    FrameDecoder d(100);
    std::string_view in = stream;
    ASSERT_EQ(d.next(in), Result::kPacket);
    d.setExpectedSeq(0);  // a new command
    ASSERT_EQ(d.next(in), Result::kPacket);
    EXPECT_EQ(d.payload(), "b");
  }
}

TEST(FrameDecoderTest, SequenceIdWrapsAround) {
  std::string stream = encode(std::string(kMax + 1, 'w'), 255);
  FrameDecoder d(2 * kMax);
  d.setExpectedSeq(255);
  std::string_view in = stream;
  ASSERT_EQ(d.next(in), Result::kPacket);
  EXPECT_EQ(d.payload().size(), kMax + 1);
  EXPECT_EQ(d.expectedSeq(), 1);
}

TEST(FrameDecoderTest, PacketAboveLimitIsTooLarge) {
  struct Case {
    size_t limit;
    size_t size;
    Result expected;
  };
  const Case kCases[] = {
      {0, 0, Result::kPacket},
      {0, 1, Result::kTooLarge},
      {10, 10, Result::kPacket},
      {10, 11, Result::kTooLarge},
      // The empty frame closing an exact multiple adds no bytes.
      {kMax, kMax, Result::kPacket},
      {kMax, kMax + 1, Result::kTooLarge},
      {kMax + 5, kMax + 5, Result::kPacket},
      {kMax + 5, kMax + 6, Result::kTooLarge},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::to_string(c.limit) + " " + std::to_string(c.size));
    std::string stream = encode(std::string(c.size, 'q'));
    FrameDecoder d(c.limit);
    std::string_view in = stream;
    EXPECT_EQ(d.next(in), c.expected);
  }
}

// The limit is checked on the header, before the body arrives: a peer cannot make the proxy
// buffer a packet it will refuse.
TEST(FrameDecoderTest, TooLargeIsReportedFromTheHeaderAlone) {
  std::string header = fromHex("ffffff 00");
  FrameDecoder d(1000);
  std::string_view in = header;
  EXPECT_EQ(d.next(in), Result::kTooLarge);
}

TEST(FrameDecoderTest, PayloadIsFreshForEachPacket) {
  std::string stream = encode("first");
  uint8_t seq = 1;
  appendPacket(stream, "2nd", seq);
  FrameDecoder d(100);
  std::string_view in = stream;
  ASSERT_EQ(d.next(in), Result::kPacket);
  EXPECT_EQ(d.payload(), "first");
  ASSERT_EQ(d.next(in), Result::kPacket);
  EXPECT_EQ(d.payload(), "2nd");
}

}  // namespace
}  // namespace shardproxy::protocol
