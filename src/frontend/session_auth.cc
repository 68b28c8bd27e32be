// Session, connection phase: the greeting, the client's handshake response, and
// authentication with mysql_native_password or caching_sha2_password (fast path, and full
// authentication over RSA or a Unix socket), as MySQL answers them.
#include "frontend/authenticator.h"
#include "frontend/session.h"
#include "protocol/auth.h"
#include "protocol/charset.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;
namespace pstatus = protocol::status;

namespace {

constexpr uint32_t kServerCapabilities =
    cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb | cap::kNoSchema |
    cap::kOdbc | cap::kIgnoreSpace | cap::kProtocol41 | cap::kInteractive | cap::kIgnoreSigpipe |
    cap::kTransactions | cap::kReserved | cap::kSecureConnection | cap::kMultiStatements |
    cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth | cap::kConnectAttrs |
    cap::kPluginAuthLenencData | cap::kCanHandleExpiredPasswords | cap::kDeprecateEof;

}  // namespace

awaitable<bool> Session::authenticate() {
  std::string scramble = protocol::makeScramble();
  protocol::ServerGreeting greeting;
  greeting.serverVersion = context_.serverVersion;
  greeting.connectionId = connectionId_;
  greeting.scramble = scramble;
  greeting.capabilities = kServerCapabilities;
  greeting.collation = protocol::kUtf8mb4GeneralCi;
  greeting.statusFlags = pstatus::kAutocommit;
  greeting.authPlugin = protocol::kNativePasswordPlugin;
  io_.write(protocol::encodeGreeting(greeting));
  if (!co_await io_.flush()) co_return false;

  auto packet = co_await io_.read();
  if (!packet) co_return false;
  auto decoded = protocol::decodeHandshakeResponse(*packet);
  if (!decoded || decoded->sslRequest) {
    error(Status(er::kHandshake, "08S01", "Bad handshake"));
    co_return false;
  }
  protocol::HandshakeResponse& hello = decoded->response;
  capabilities_ = hello.capabilities & kServerCapabilities;
  collation_ = hello.collation;
  std::string host = unixSocket_ ? "localhost" : peerHost_;

  const config::User* user = topology_->authority.findUser(hello.user, host);
  std::string clientPlugin = (hello.capabilities & cap::kPluginAuth)
                                 ? hello.authPlugin
                                 : std::string(protocol::kNativePasswordPlugin);
  if (clientPlugin.empty()) clientPlugin = protocol::kNativePasswordPlugin;
  AuthPlugin plugin =
      choosePlugin(user ? topology_->authority.authPluginFor(*user) : std::string(), clientPlugin);
  std::string response = hello.authResponse;
  // A client that starts with another plugin than the greeting's may send no data at all and
  // wait to be asked (libmariadb does): ask, as MySQL does on a plugin mismatch.
  bool mustAsk =
      clientPlugin != pluginName(plugin) ||
      (clientPlugin != greeting.authPlugin && response.empty() && user && !user->password.empty());
  if (mustAsk && (hello.capabilities & cap::kPluginAuth)) {
    io_.write(protocol::encodeAuthSwitchRequest(pluginName(plugin), scramble));
    if (!co_await io_.flush()) co_return false;
    auto reply = co_await io_.read();
    if (!reply) co_return false;
    response = *reply;
  }

  bool ok = false;
  if (user && plugin == AuthPlugin::kNativePassword) {
    ok = protocol::checkNativePassword(response, user->password, scramble);
  } else if (user && plugin == AuthPlugin::kCachingSha2) {
    if (protocol::checkCachingSha2(response, user->password, scramble)) {
      ok = true;
      if (!user->password.empty()) {
        io_.write(protocol::encodeAuthMoreData(std::string(1, protocol::kCachingSha2FastAuthOk)));
      }
    } else if (!response.empty()) {
      // The fast path failed: ask for the password itself, as MySQL does on a cache miss.
      io_.write(protocol::encodeAuthMoreData(std::string(1, protocol::kCachingSha2FullAuth)));
      if (!co_await io_.flush()) co_return false;
      auto reply = co_await io_.read();
      if (!reply) co_return false;
      std::string password;
      if (*reply == std::string_view(&protocol::kCachingSha2PublicKeyRequest, 1) &&
          context_.rsaKey) {
        io_.write(protocol::encodeAuthMoreData(context_.rsaKey->publicKeyPem()));
        if (!co_await io_.flush()) co_return false;
        auto cipher = co_await io_.read();
        if (!cipher) co_return false;
        if (auto plain = context_.rsaKey->decrypt(*cipher)) {
          password = protocol::unscramblePassword(*plain, scramble);
          ok = password == user->password;
        }
      } else if (unixSocket_) {
        // A Unix socket is a secure transport: the client may send the password as is.
        std::string_view plain = *reply;
        if (!plain.empty() && plain.back() == '\0') plain.remove_suffix(1);
        ok = plain == user->password;
      }
    }
  }
  if (!ok) {
    error(accessDenied(hello.user, host, !hello.authResponse.empty() || !response.empty()));
    co_return false;
  }
  shard_.user = user;
  shard_.foundRows = capabilities_ & cap::kFoundRows;
  // KILL from another session runs on this session's worker, after finding this entry again
  // there (the destructor removes it first), so `this` is alive when it is called.
  context_.state.sessions.add(connectionId_, {worker_.io().get_executor(), this, user->name,
                                              [this](bool connection) { killedBy(connection); }});
  if (!hello.database.empty()) {
    Status s = useDatabase(hello.database);
    if (!s) {
      error(s);
      co_return false;
    }
  }
  shard_.variables.values = executor::charsetVariables(collation_);
  shard_.multiStatements = capabilities_ & cap::kMultiStatements;
  writeOk();
  co_return true;
}

}  // namespace shardproxy::frontend
