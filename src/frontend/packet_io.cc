#include "frontend/packet_io.h"

#include "common/log.h"

namespace shardproxy::frontend {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// A packet buffer larger than this is freed once its packet is done with, rather than kept for
// the connection's life.
constexpr size_t kKeptPayloadBytes = 1024 * 1024;
}  // namespace

PacketIO::PacketIO(Socket& socket, size_t maxPayload)
    : socket_(socket), decoder_(maxPayload), in_(kReadChunk) {}

awaitable<Result<std::string_view>> PacketIO::read() {
  decoder_.setExpectedSeq(seq_);
  // The previous packet (the only thing the buffer holds between reads) is no longer needed.
  if (decoder_.payload().capacity() > kKeptPayloadBytes) std::string().swap(decoder_.payload());
  midPacket_ = inEnd_ > inBegin_;
  for (;;) {
    std::string_view pending(in_.data() + inBegin_, inEnd_ - inBegin_);
    size_t before = pending.size();
    auto r = decoder_.next(pending);
    inBegin_ += before - pending.size();
    if (inBegin_ == inEnd_) inBegin_ = inEnd_ = 0;
    switch (r) {
      case protocol::FrameDecoder::Result::kPacket:
        seq_ = decoder_.expectedSeq();
        co_return std::string_view(decoder_.payload());
      case protocol::FrameDecoder::Result::kTooLarge:
        seq_ = decoder_.expectedSeq();
        co_return Status(er::kNetPacketTooLarge, "08S01",
                         "Got a packet bigger than 'max_allowed_packet' bytes");
      case protocol::FrameDecoder::Result::kOutOfOrder:
        co_return Status(er::kNetPacketsOutOfOrder, "08S01", "Got packets out of order");
      case protocol::FrameDecoder::Result::kNeedMore:
        break;
    }
    if (inEnd_ == in_.size()) {
      // Unconsumed bytes are always moved to the front, so the buffer is full only when it
      // holds nothing the decoder could take; that cannot happen, but never spin.
      inBegin_ = inEnd_ = 0;
    }
    boost::system::error_code ec;
    auto into = asio::buffer(in_.data() + inEnd_, in_.size() - inEnd_);
    size_t n =
        tls_ ? co_await tls_->async_read_some(into, asio::redirect_error(use_awaitable, ec))
             : co_await socket_.async_read_some(into, asio::redirect_error(use_awaitable, ec));
    if (ec || n == 0) {
      co_return Status(er::kNetReadError, "08S01", "Got an error reading communication packets");
    }
    inEnd_ += n;
    midPacket_ = true;
    lastProgress_ = std::chrono::steady_clock::now();
  }
}

awaitable<Status> PacketIO::flush() {
  if (out_.empty()) co_return Status::ok();
  boost::system::error_code ec;
  // Piece by piece, so that a client that reads slowly but steadily is told from one that has
  // stopped reading (net_write_timeout counts from the last progress, as in MySQL).
  writing_ = true;
  lastProgress_ = std::chrono::steady_clock::now();
  for (size_t done = 0; done < out_.size() && !ec;) {
    auto rest = asio::buffer(out_.data() + done, out_.size() - done);
    size_t n =
        tls_ ? co_await tls_->async_write_some(rest, asio::redirect_error(use_awaitable, ec))
             : co_await socket_.async_write_some(rest, asio::redirect_error(use_awaitable, ec));
    done += n;
    lastProgress_ = std::chrono::steady_clock::now();
  }
  writing_ = false;
  if (out_.capacity() > 4 * 1024 * 1024) {
    std::string().swap(out_);  // do not keep a large result's buffer per idle connection
  } else {
    out_.clear();
  }
  if (ec)
    co_return Status(er::kNetReadError, "08S01", "Got an error writing communication packets");
  co_return Status::ok();
}

awaitable<Status> PacketIO::startTls(asio::ssl::context& context) {
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, context);
  // Whatever follows the SSLRequest in the input buffer is the client's first handshake bytes.
  auto pending = asio::buffer(in_.data() + inBegin_, inEnd_ - inBegin_);
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::server, pending,
                                 asio::redirect_error(use_awaitable, ec));
  inBegin_ = inEnd_ = 0;
  if (ec) {
    spdlog::debug("TLS handshake failed: {}", ec.message());
    co_return Status(er::kHandshake, "08S01", "Bad handshake");
  }
  co_return Status::ok();
}

std::string PacketIO::tlsVersion() const {
  return tls_ ? SSL_get_version(tls_->native_handle()) : "";
}

std::string PacketIO::tlsCipher() const {
  return tls_ ? SSL_get_cipher_name(tls_->native_handle()) : "";
}

}  // namespace shardproxy::frontend
