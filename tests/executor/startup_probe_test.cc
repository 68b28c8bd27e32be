// greetingVersion: the server version as a MySQL server's greeting gives it, read from a local
// listener that plays the server.
#include "executor/startup_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace shardproxy::executor {
namespace {

// A listener on 127.0.0.1 that sends `reply` (the bytes as given) to the first client and then
// holds the connection open until the client closes it.
class FakeServer {
 public:
  explicit FakeServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this] {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      if (!reply_.empty()) {
        EXPECT_EQ(::send(client, reply_.data(), reply_.size(), 0), ssize_t(reply_.size()));
      }
      char c;
      while (::recv(client, &c, 1, 0) > 0) {
      }
      ::close(client);
    });
  }
  ~FakeServer() {
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  std::string reply_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

std::string packet(const std::string& payload) {
  std::string out;
  out += static_cast<char>(payload.size() & 0xff);
  out += static_cast<char>(payload.size() >> 8 & 0xff);
  out += static_cast<char>(payload.size() >> 16 & 0xff);
  out += '\0';
  return out + payload;
}

std::string greeting(const std::string& version) {
  // Protocol 10, the version, then the rest of a greeting (not read).
  return packet(std::string(1, '\x0a') + version + std::string(1, '\0') + std::string(40, 'x'));
}

TEST(StartupProbeTest, GreetingVersionAsSent) {
  const std::string version = "5.5.5-10.11.6-MariaDB-0+deb12u1";
  FakeServer server(greeting(version));
  EXPECT_EQ(greetingVersion("127.0.0.1", server.port(), std::chrono::seconds(5)), version);
}

TEST(StartupProbeTest, MySqlVersionByHostName) {
  // MySQL sends no prefix; a host name is resolved (an address that refuses is skipped).
  FakeServer server(greeting("8.0.36"));
  EXPECT_EQ(greetingVersion("localhost", server.port(), std::chrono::seconds(5)), "8.0.36");
}

TEST(StartupProbeTest, NoVersionFromAnErrorOrSilence) {
  {
    // A server that refuses the host answers with ERR (0xff) instead of a greeting.
    FakeServer server(packet("\xff\x69\x04Host is blocked"));
    EXPECT_EQ(greetingVersion("127.0.0.1", server.port(), std::chrono::seconds(5)), "");
  }
  {
    // Nothing within the timeout: empty, after about the timeout (bounds far from it).
    FakeServer server("");
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(greetingVersion("127.0.0.1", server.port(), std::chrono::milliseconds(300)), "");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    std::printf("silent server: %lld ms for a 300 ms timeout\n", static_cast<long long>(ms));
    EXPECT_GE(ms, 250);
    EXPECT_LT(ms, 10000);
  }
  // Nobody listening.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // the port is free again, and nothing listens on it
  EXPECT_EQ(greetingVersion("127.0.0.1", ntohs(addr.sin_port), std::chrono::seconds(2)), "");
}

}  // namespace
}  // namespace shardproxy::executor
