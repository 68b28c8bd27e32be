// Fuzz target for FrameDecoder.
//
// Raw mode: the input is a byte stream from a peer. It is decoded with a small limit (the
// kTooLarge path) and a large one, each fed all at once, byte by byte and in uneven chunks; the
// results must not depend on the chunking.
//
// Script mode (first byte 0xff): the input describes frames, so that the 16 MiB multi-frame path
// is reached without 16 MiB inputs. The stream is built from the script and the decoder's answer
// is checked against a model of the framing rules.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/constants.h"
#include "protocol/framing.h"

namespace {

using shardproxy::protocol::appendPacket;
using shardproxy::protocol::FrameDecoder;
using shardproxy::protocol::kMaxFramePayload;
using Result = FrameDecoder::Result;

// Feeds `stream` in chunks of the sizes in `pattern` (cycled) and calls onPacket(payload) for
// each packet; returns the last result, stopping at the first error.
// `resetSeq`: each packet is a new command, so the next one starts again at sequence id 0.
template <typename OnPacket>
Result decode(std::string_view stream, size_t limit, const std::vector<size_t>& pattern,
              bool resetSeq, OnPacket onPacket) {
  FrameDecoder d(limit);
  Result last = Result::kNeedMore;
  size_t turn = 0;
  while (!stream.empty()) {
    size_t n = std::min(pattern[turn++ % pattern.size()], stream.size());
    std::string_view chunk = stream.substr(0, n);
    stream.remove_prefix(n);
    while (!chunk.empty()) {
      size_t before = chunk.size();
      last = d.next(chunk);
      FUZZ_CHECK(chunk.size() <= before);
      if (last == Result::kPacket) {
        FUZZ_CHECK(d.payload().size() <= limit);
        onPacket(d.payload());
        if (resetSeq) d.setExpectedSeq(0);
        continue;
      }
      if (last != Result::kNeedMore) return last;
      FUZZ_CHECK(chunk.empty());
    }
  }
  return last;
}

struct Outcome {
  std::vector<std::string> packets;
  Result last = Result::kNeedMore;
  bool operator==(const Outcome&) const = default;
};

Outcome collect(std::string_view stream, size_t limit, const std::vector<size_t>& pattern,
                bool resetSeq) {
  Outcome o;
  o.last = decode(stream, limit, pattern, resetSeq,
                  [&](const std::string& p) { o.packets.push_back(p); });
  return o;
}

void rawMode(std::string_view stream) {
  for (size_t limit : {size_t{16}, size_t{64} * 1024 * 1024}) {
    for (bool resetSeq : {false, true}) {
      Outcome whole = collect(stream, limit, {stream.size() + 1}, resetSeq);
      FUZZ_CHECK(collect(stream, limit, {1}, resetSeq) == whole);
      FUZZ_CHECK(collect(stream, limit, {3, 1, 4, 1, 5, 9, 2, 6}, resetSeq) == whole);
      // Every packet re-encodes to a stream that decodes to the same payload.
      for (const auto& p : whole.packets) {
        std::string again;
        uint8_t seq = 0;
        appendPacket(again, p, seq);
        Outcome expected{{p}, Result::kPacket};
        FUZZ_CHECK(collect(again, limit, {7}, false) == expected);
      }
    }
  }
}

// A frame body of the script: `length` copies of `fill`.
struct Segment {
  size_t length;
  char fill;
};

// `payload` is made of `segments` in order. Compared in place: script-mode payloads are up to
// 32 MiB, and copying them would make every run slow.
bool matches(const std::string& payload, const std::vector<Segment>& segments) {
  size_t pos = 0;
  for (const auto& s : segments) {
    if (payload.size() - pos < s.length) return false;
    if (s.length > 0 && (payload[pos] != s.fill ||
                         std::memcmp(&payload[pos], &payload[pos + 1], s.length - 1) != 0)) {
      return false;
    }
    pos += s.length;
  }
  return pos == payload.size();
}

void scriptMode(std::string_view script) {
  // First byte: the limit, in units of 512 KiB. Then each frame is 3 bytes: a length code, a
  // sequence id delta (0 = the right id) and a filler byte. Length code 0xff: 0xffffff bytes,
  // 0xfe: 0xfffffe, 0xfd: 0x1000, else the code itself. At most two big frames, to bound memory
  // and time.
  if (script.empty()) return;
  size_t limit = static_cast<uint8_t>(script[0]) * size_t{0x80000};
  script.remove_prefix(1);
  struct Frame {
    size_t length;
    uint8_t seq;
    char fill;
  };
  std::vector<Frame> frames;
  size_t total = 0;
  int bigFrames = 0;
  for (uint8_t seq = 0; script.size() >= 3; script.remove_prefix(3)) {
    uint8_t code = static_cast<uint8_t>(script[0]);
    size_t len = code == 0xff   ? kMaxFramePayload
                 : code == 0xfe ? kMaxFramePayload - 1
                 : code == 0xfd ? 0x1000
                                : code;
    if (len >= kMaxFramePayload - 1 && ++bigFrames > 2) break;
    frames.push_back(
        {len, static_cast<uint8_t>(seq++ + static_cast<uint8_t>(script[1])), script[2]});
    total += 4 + len;
  }

  // The model of the framing rules: which packets the decoder must hand out, and how it ends.
  std::vector<std::vector<Segment>> expected;
  Result expectedLast = Result::kNeedMore;
  std::vector<Segment> current;
  size_t currentSize = 0;
  uint8_t seq = 0;
  for (const auto& f : frames) {
    if (f.seq != seq++) {
      expectedLast = Result::kOutOfOrder;
      break;
    }
    if (currentSize + f.length > limit) {
      expectedLast = Result::kTooLarge;
      break;
    }
    current.push_back({f.length, f.fill});
    currentSize += f.length;
    expectedLast = Result::kNeedMore;
    if (f.length < kMaxFramePayload) {
      expected.push_back(std::move(current));
      current.clear();
      currentSize = 0;
      expectedLast = Result::kPacket;
    }
  }

  // Kept across runs: touching fresh pages for up to 32 MiB is most of the cost of a run.
  static std::string stream;
  stream.clear();
  stream.reserve(total);
  for (const auto& f : frames) {
    stream.push_back(static_cast<char>(f.length));
    stream.push_back(static_cast<char>(f.length >> 8));
    stream.push_back(static_cast<char>(f.length >> 16));
    stream.push_back(static_cast<char>(f.seq));
    stream.append(f.length, f.fill);
  }
  // Small chunks around the start and the first header boundaries, big ones across the bodies.
  size_t packets = 0;
  Result last = decode(stream, limit, {1, 2, 3, 4, 5, 0x10000, 0xfffffd, 0x1000001}, false,
                       [&](const std::string& p) {
                         FUZZ_CHECK(packets < expected.size());
                         FUZZ_CHECK(matches(p, expected[packets++]));
                       });
  FUZZ_CHECK(packets == expected.size());
  FUZZ_CHECK(last == expectedLast);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && static_cast<uint8_t>(input[0]) == 0xff) {
    scriptMode(input.substr(1));
  } else {
    rawMode(input);
  }
  return 0;
}
