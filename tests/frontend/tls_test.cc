// TLS on client connections: the context the props make (versions, ciphers, certificate), and
// PacketIO switching to TLS after an SSLRequest over a real socket pair, with a client that
// sends its handshake right behind the SSLRequest, trusts the proxy's CA or another one.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/asio_ssl.h"
#include "frontend/certificates.h"
#include "frontend/packet_io.h"
#include "frontend/temp_dir.h"
#include "frontend/tls_context.h"
#include "protocol/framing.h"

namespace shardproxy::frontend {
namespace {

using testing::TempDir;

config::Props tlsProps() {
  config::Props p;
  p.proxyFrontendSslEnabled = true;
  return p;
}

// The message of the runtime_error makeTlsContext throws, or "" when it succeeds.
std::string contextError(const config::Props& props, const std::string& dataDir) {
  try {
    makeTlsContext(props, dataDir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> cipherNames(SSL_CTX* ctx) {
  std::vector<std::string> names;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    names.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  }
  return names;
}

TEST(TlsContextTest, VersionsBoundTheRange) {
  TempDir dir;
  config::Props p = tlsProps();
  auto both = makeTlsContext(p, dir.path());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(both->native_handle()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(both->native_handle()), TLS1_3_VERSION);

  p.proxyFrontendSslVersions = {"TLSv1.3"};
  auto only13 = makeTlsContext(p, dir.path());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(only13->native_handle()), TLS1_3_VERSION);

  p.proxyFrontendSslVersions = {"TLSv1.3", "TLSv1.1"};  // TLSv1.2 left out in between
  auto gap = makeTlsContext(p, dir.path());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(gap->native_handle()), TLS1_1_VERSION);
  EXPECT_NE(SSL_CTX_get_options(gap->native_handle()) & SSL_OP_NO_TLSv1_2, 0u);

  p.proxyFrontendSslVersions = {"SSLv3"};
  EXPECT_EQ(contextError(p, dir.path()),
            "props.proxy-frontend-ssl-version: unknown TLS version 'SSLv3'");
}

TEST(TlsContextTest, CiphersInOpenSslOrJavaNames) {
  TempDir dir;
  config::Props p = tlsProps();
  p.proxyFrontendSslCiphers = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",  // IANA, as Java writes
                               "ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384"};
  auto ctx = makeTlsContext(p, dir.path());
  EXPECT_EQ(cipherNames(ctx->native_handle()),
            (std::vector<std::string>{"TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
                                      "ECDHE-RSA-AES256-GCM-SHA384"}));

  // Only older ciphers named: TLS 1.3 keeps its default suites.
  p.proxyFrontendSslCiphers = {"ECDHE-RSA-AES128-GCM-SHA256"};
  std::vector<std::string> names = cipherNames(makeTlsContext(p, dir.path())->native_handle());
  EXPECT_EQ(names.back(), "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_GT(names.size(), 1u);

  p.proxyFrontendSslCiphers = {"ECDHE-RSA-AES128-GCM-SHA256", "NO-SUCH-CIPHER"};
  EXPECT_EQ(contextError(p, dir.path()),
            "props.proxy-frontend-ssl-cipher: unknown cipher 'NO-SUCH-CIPHER'");
}

TEST(TlsContextTest, ConfiguredCertificateAndKey) {
  TempDir generated, data;
  ensureCertificates(generated.path(), {});
  CertificateFiles files = certificateFiles(generated.path());
  config::Props p = tlsProps();
  p.proxyFrontendSslCert = files.cert;
  p.proxyFrontendSslKey = files.key;
  EXPECT_EQ(contextError(p, data.path()), "");
  // Nothing is generated when a certificate is configured.
  EXPECT_FALSE(std::filesystem::exists(data.path()));

  p.proxyFrontendSslKey = files.caKey;
  EXPECT_EQ(contextError(p, data.path()), "cannot load the TLS key " + files.caKey +
                                              " for the certificate " + files.cert +
                                              ": key values mismatch");
  p.proxyFrontendSslCert = generated.path() + "/missing.pem";
  EXPECT_EQ(contextError(p, data.path())
                .rfind("cannot load the TLS certificate " + generated.path() + "/missing.pem", 0),
            0u);
}

// ---- PacketIO over a socket pair ----

constexpr size_t kMaxPacket = 1 << 20;

std::string frame(std::string_view payload, uint8_t seq) {
  std::string out;
  protocol::appendPacket(out, payload, seq);
  return out;
}

// An SSLRequest payload: capabilities with CLIENT_SSL and CLIENT_PROTOCOL_41, max packet,
// collation, 23 zero bytes.
std::string sslRequest() {
  std::string p(32, '\0');
  uint32_t caps = (1u << 11) | (1u << 9) | (1u << 15);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(caps >> (8 * i));
  p[7] = 1;
  p[8] = 45;
  return p;
}

struct ClientResult {
  bool handshakeOk = false;
  std::string reply;  // the server's packet read over TLS
};

// A blocking client on its own thread: the SSLRequest, at once its TLS handshake trusting
// `caFile`, then one packet over TLS and the server's answer.
ClientResult runClient(int fd, const std::string& caFile) {
  ClientResult result;
  asio::io_context io;
  asio::local::stream_protocol::socket socket(io, asio::local::stream_protocol(), fd);
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(caFile);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::local::stream_protocol::socket&> tls(socket, ctx);
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(frame(sslRequest(), 0)), ec);
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return result;
  result.handshakeOk = true;
  asio::write(tls, asio::buffer(frame("hello over TLS", 1)), ec);
  char header[4];
  asio::read(tls, asio::buffer(header), ec);
  if (ec) return result;
  size_t len = static_cast<uint8_t>(header[0]) | static_cast<uint8_t>(header[1]) << 8 |
               static_cast<uint8_t>(header[2]) << 16;
  result.reply.resize(len);
  asio::read(tls, asio::buffer(result.reply), ec);
  if (ec) result.reply.clear();
  return result;
}

struct ServerResult {
  std::optional<std::string> sslRequest;
  Status tls;
  std::optional<std::string> packet;  // read over TLS
  std::string version;
  std::string cipher;
};

awaitable<void> serve(Socket& socket, asio::ssl::context& ctx, ServerResult& out) {
  // The first read takes the SSLRequest and the start of the client's handshake together:
  // wait until both are there.
  asio::steady_timer wait(socket.get_executor());
  for (int i = 0; i < 10000 && socket.available() <= 4 + 32; ++i) {
    wait.expires_after(std::chrono::milliseconds(1));
    co_await wait.async_wait(use_awaitable);
  }
  PacketIO io(socket, kMaxPacket);
  io.resetSequence();
  auto first = co_await io.read();
  if (!first) co_return;
  out.sslRequest = std::string(*first);
  out.tls = co_await io.startTls(ctx);
  if (!out.tls) co_return;
  out.version = io.tlsVersion();
  out.cipher = io.tlsCipher();
  auto second = co_await io.read();
  if (!second) co_return;
  out.packet = std::string(*second);
  io.write("welcome");
  (co_await io.flush()).ignoreError();
}

struct Exchange {
  ClientResult client;
  ServerResult server;
};

Exchange talk(asio::ssl::context& serverCtx, const std::string& clientCa) {
  asio::io_context io;
  asio::local::stream_protocol::socket a(io), b(io);
  asio::local::connect_pair(a, b);
  Socket server(io, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), a.release());
  int clientFd = b.release();
  Exchange e;
  std::thread client([&] { e.client = runClient(clientFd, clientCa); });
  asio::co_spawn(io, serve(server, serverCtx, e.server), asio::detached);
  // A guard against a hang, not a measurement: an exchange takes milliseconds.
  io.run_for(std::chrono::seconds(30));
  bool finished = io.stopped();
  // Closing our end also ends a client left waiting for more.
  boost::system::error_code ec;
  server.close(ec);
  io.restart();
  io.run();
  client.join();
  EXPECT_TRUE(finished) << "the exchange did not finish";
  return e;
}

TEST(PacketIoTlsTest, SwitchesToTlsWithTheHandshakeReadAlongWithTheSslRequest) {
  TempDir dir;
  auto ctx = makeTlsContext(tlsProps(), dir.path());
  Exchange e = talk(*ctx, certificateFiles(dir.path()).ca);
  ASSERT_TRUE(e.server.sslRequest);
  EXPECT_EQ(*e.server.sslRequest, sslRequest());
  EXPECT_TRUE(e.server.tls.isOk()) << e.server.tls.toString();
  EXPECT_TRUE(e.client.handshakeOk);
  EXPECT_EQ(e.server.packet, "hello over TLS");  // the sequence goes on: 0, then 1
  EXPECT_EQ(e.client.reply, "welcome");
  EXPECT_EQ(e.server.version, "TLSv1.3");
  EXPECT_EQ(e.server.cipher.rfind("TLS_", 0), 0u) << e.server.cipher;
}

TEST(PacketIoTlsTest, AClientTrustingAnotherCaRefusesTheProxy) {
  TempDir dir, other;
  auto ctx = makeTlsContext(tlsProps(), dir.path());
  ensureCertificates(other.path(), {});
  Exchange e = talk(*ctx, certificateFiles(other.path()).ca);
  EXPECT_FALSE(e.client.handshakeOk);
  EXPECT_EQ(e.server.tls.code(), er::kHandshake);
  EXPECT_FALSE(e.server.packet);
}

TEST(PacketIoTlsTest, PlainConnectionsStayPlain) {
  asio::io_context io;
  asio::local::stream_protocol::socket a(io), b(io);
  asio::local::connect_pair(a, b);
  Socket server(io, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), a.release());
  asio::write(b, asio::buffer(frame("ping", 0)));
  std::optional<std::string> got;
  PacketIO pio(server, kMaxPacket);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto p = co_await pio.read();
        if (p) got = std::string(*p);
        pio.write("pong");
        (co_await pio.flush()).ignoreError();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, "ping");
  EXPECT_FALSE(pio.tls());
  EXPECT_EQ(pio.tlsVersion(), "");
  EXPECT_EQ(pio.tlsCipher(), "");
  char reply[8];
  asio::read(b, asio::buffer(reply));
  EXPECT_EQ(std::string(reply, 8), frame("pong", 1));
}

}  // namespace
}  // namespace shardproxy::frontend
