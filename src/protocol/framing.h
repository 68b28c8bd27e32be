// Packet framing: a MySQL packet is one or more frames of (3-byte length, 1-byte sequence id,
// payload). A payload of 0xffffff bytes or more spans several frames; a frame shorter than
// 0xffffff ends the packet (an empty frame when the size is an exact multiple).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

// Appends `payload` as one packet; `seq` is the id of the first frame and is advanced past
// every frame written.
void appendPacket(std::string& out, std::string_view payload, uint8_t& seq);

// Writing a packet in place: reserve the header, append the payload to `out`, then finish.
// finishPacket fills in the header and splits the payload into frames when it is large.
size_t beginPacket(std::string& out);
void finishPacket(std::string& out, size_t headerPos, uint8_t& seq);

// Sans-I/O decoder of the frames a peer sends. Feed it bytes; it yields whole payloads.
class FrameDecoder {
 public:
  enum class Result {
    kNeedMore,    // all of `in` consumed, no complete packet yet
    kPacket,      // payload() holds a complete packet
    kTooLarge,    // the packet exceeds the limit; the stream cannot be trusted any more
    kOutOfOrder,  // a frame's sequence id is not the expected one
  };

  explicit FrameDecoder(size_t maxPayload) : maxPayload_(maxPayload) {}

  // Consumes bytes from the front of `in`. Returns kPacket as soon as one packet is complete,
  // leaving the remaining bytes in `in`.
  Result next(std::string_view& in);

  // The limit applies from the next frame header on (a connection's limit grows after login).
  void setMaxPayload(size_t maxPayload) { maxPayload_ = maxPayload; }

  std::string& payload() { return payload_; }
  // Sequence id expected for the next frame; a new command starts again at 0.
  uint8_t expectedSeq() const { return seq_; }
  void setExpectedSeq(uint8_t seq) { seq_ = seq; }

 private:
  size_t maxPayload_;
  std::string payload_;
  std::string header_;    // partial frame header
  size_t frameLeft_ = 0;  // payload bytes still to read in the current frame
  bool inFrame_ = false;
  bool lastFrame_ = false;  // the current frame is shorter than the maximum: it ends the packet
  bool done_ = true;        // the previous packet was handed out; start a fresh one
  uint8_t seq_ = 0;
};

}  // namespace shardproxy::protocol
