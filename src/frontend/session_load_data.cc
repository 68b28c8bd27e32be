// LOAD DATA LOCAL INFILE on the client connection: the request for the file, then its packets
// handed to the loader (executor/load_data.h) as they arrive.
#include "executor/load_data.h"
#include "frontend/session.h"
#include "protocol/local_infile.h"

namespace shardproxy::frontend {

namespace {

// The file's packets as the client sends them, up to the empty one.
class ClientFile final : public executor::LocalFile {
 public:
  explicit ClientFile(PacketIO& io) : io_(io) {}

  awaitable<Result<std::string_view>> read() override {
    if (ended_) co_return std::string_view();
    auto packet = co_await io_.read();
    if (!packet) co_return packet.status();
    if (protocol::endsLocalInfile(*packet)) ended_ = true;
    co_return *packet;
  }

 private:
  PacketIO& io_;
  bool ended_ = false;
};

}  // namespace

awaitable<void> Session::loadLocalFile(const parser::ast::Statement& s) {
  executor::LoadData load(shard_, *this);
  // Errors found before the file is asked for are the statement's answer, as in MySQL.
  if (Status st = co_await load.prepare(s); !st) {
    error(st);
    co_return;
  }
  protocol::encodeLocalInfileRequest(io_.begin(), load.fileName());
  io_.end();
  if (!co_await io_.flush()) {
    shard_.requestClose();
    co_return;
  }
  ClientFile file(io_);
  if (!co_await load.run(file)) {
    // The client connection failed mid-file: nothing more can be said to it.
    shard_.requestClose();
  }
}

}  // namespace shardproxy::frontend
