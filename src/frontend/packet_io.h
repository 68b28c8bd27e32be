// Packet I/O on a client socket: reads whole packets (multi-frame included) and buffers
// outgoing packets until flush(). The sequence id is shared by both directions, as in MySQL.
// After startTls() the same packets go through TLS on that socket.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio_ssl.h"
#include "common/status.h"
#include "protocol/framing.h"

namespace shardproxy::frontend {

using Socket = asio::generic::stream_protocol::socket;

class PacketIO {
 public:
  PacketIO(Socket& socket, size_t maxPayload);

  // The next packet's payload, valid until the next read. An error status means the
  // connection cannot go on (closed, packet out of order, too large); after a packet too large,
  // the sequence id is the one after the client's last frame, for the ERR that says so.
  awaitable<Result<std::string_view>> read();

  // The largest packet read() accepts from now on.
  void setMaxPayload(size_t maxPayload) { decoder_.setMaxPayload(maxPayload); }

  // A new command starts the sequence again at 0.
  void resetSequence() { seq_ = 0; }
  uint8_t sequence() const { return seq_; }

  // Appends a whole payload as a packet.
  void write(std::string_view payload) { protocol::appendPacket(out_, payload, seq_); }
  // Builds a packet in place: begin() returns the buffer to append the payload to.
  std::string& begin() {
    packetStart_ = protocol::beginPacket(out_);
    return out_;
  }
  void end() { protocol::finishPacket(out_, packetStart_, seq_); }
  // Drops the packet begin() started instead of finishing it.
  void cancel() { out_.resize(packetStart_); }

  size_t buffered() const { return out_.size(); }
  awaitable<Status> flush();

  // For the session's timeouts: while read() waits, whether part of the packet has arrived
  // already; whether flush() is waiting for the client to take more; when bytes last went
  // either way.
  bool midPacket() const { return midPacket_; }
  bool writing() const { return writing_; }
  std::chrono::steady_clock::time_point lastProgress() const { return lastProgress_; }

  // TLS as the server from here on (after an SSLRequest); call with nothing left to flush. The
  // client may have sent the start of its TLS handshake right behind the SSLRequest: bytes
  // already read are where the handshake starts.
  awaitable<Status> startTls(asio::ssl::context& context);
  bool tls() const { return tls_ != nullptr; }
  // The negotiated protocol ("TLSv1.3") and cipher (OpenSSL's name); empty without TLS.
  std::string tlsVersion() const;
  std::string tlsCipher() const;

 private:
  Socket& socket_;
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;  // null: plain
  protocol::FrameDecoder decoder_;
  std::vector<char> in_;
  size_t inBegin_ = 0;
  size_t inEnd_ = 0;
  std::string out_;
  size_t packetStart_ = 0;
  uint8_t seq_ = 0;
  bool midPacket_ = false;
  bool writing_ = false;
  std::chrono::steady_clock::time_point lastProgress_;
};

}  // namespace shardproxy::frontend
