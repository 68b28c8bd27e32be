// Session, connection phase: drives protocol::ServerHandshake (which decides the login) over
// the client connection, switching it to TLS when the client asks, then registers the session
// and applies the requested database; and COM_CHANGE_USER, the same login again within the
// session.
#include "frontend/session.h"
#include "protocol/auth.h"
#include "protocol/change_user.h"
#include "protocol/constants.h"
#include "protocol/server_handshake.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;

namespace {

// Exactly what the proxy implements, each exercised by a client test (the table in
// tests/integration/test_handshake.py, which also checks the greeting announces this set). Not
// announced: COMPRESS and SESSION_TRACK (not implemented on the client connection), NO_SCHEMA
// and IGNORE_SPACE (a client asking for them would expect `db.t.c` refused and IGNORE_SPACE in
// its sql_mode, which the proxy does not do), ODBC and IGNORE_SIGPIPE (no server meaning),
// CAN_HANDLE_EXPIRED_PASSWORDS (no proxy account expires). LONG_PASSWORD is MariaDB's
// CLIENT_MYSQL: set, it tells MariaDB clients that no extended capabilities (bulk execution,
// progress, extended metadata) follow in the greeting, as none is implemented. SSL is added
// when TLS is configured; LOCAL_FILES where LOAD DATA LOCAL is.
constexpr uint32_t kServerCapabilities =
    cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb | cap::kProtocol41 |
    cap::kInteractive | cap::kTransactions | cap::kReserved | cap::kSecureConnection |
    cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth |
    cap::kConnectAttrs | cap::kPluginAuthLenencData | cap::kDeprecateEof;

// The configuration's accounts; keeps the one the handshake found, which the session runs as.
class AuthorityCredentials final : public protocol::CredentialStore {
 public:
  explicit AuthorityCredentials(const config::Authority& authority) : authority_(authority) {}

  std::optional<protocol::Credentials> find(std::string_view user, std::string_view host) override {
    found_ = authority_.findUser(std::string(user), std::string(host));
    if (!found_) return std::nullopt;
    return protocol::Credentials{found_->password, authority_.authPluginFor(*found_)};
  }
  const config::User* found() const { return found_; }

 private:
  const config::Authority& authority_;
  const config::User* found_ = nullptr;
};

// The process's failed-login counts, as the handshake asks them.
class ThrottleGuard final : public protocol::LoginGuard {
 public:
  explicit ThrottleGuard(LoginThrottle& throttle) : throttle_(throttle) {}

  Status admit(std::string_view user, std::string_view host) override {
    return throttle_.admit(user, host, LoginThrottle::Clock::now());
  }
  Outcome verdict(std::string_view user, std::string_view host, bool success) override {
    return throttle_.verdict(user, host, success, LoginThrottle::Clock::now());
  }

 private:
  LoginThrottle& throttle_;
};

}  // namespace

awaitable<bool> Session::holdBack(std::chrono::milliseconds delay) {
  asio::steady_timer timer(socket_.get_executor(), delay);
  holdBackTimer_ = &timer;
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  holdBackTimer_ = nullptr;
  co_return !stopRequested_;
}

protocol::ServerHandshakeSettings Session::handshakeSettings(uint32_t capabilities) const {
  return {.serverVersion = context_.serverVersion,
          .connectionId = connectionId_,
          .capabilities = capabilities | (context_.tls ? cap::kSsl : 0u),
          .scramble = scramble_,
          .rsaKey = context_.rsaKey.get(),
          .unixSocket = unixSocket_,
          .peerHost = peerHost_,
          .requireSecureTransport = topology_->props.proxyFrontendSslRequired,
          .tlsActive = io_.tls()};
}

awaitable<bool> Session::converse(protocol::ServerHandshake& handshake,
                                  protocol::ServerHandshake::Step step) {
  using Action = protocol::ServerHandshake::Action;
  while (true) {
    if (step.delay.count() > 0 && !co_await holdBack(step.delay)) co_return false;
    for (const std::string& packet : step.packets) io_.write(packet);
    if (step.action == Action::kStartTls) {
      if (!co_await io_.flush() || !co_await io_.startTls(*context_.tls)) co_return false;
      shard_.tlsVersion = io_.tlsVersion();
      shard_.tlsCipher = io_.tlsCipher();
    } else if (step.action != Action::kRead) {
      break;
    } else if (!co_await io_.flush()) {
      co_return false;
    }
    auto packet = co_await io_.read();
    if (!packet) {
      // A packet larger than a handshake needs is refused before it is read (the caller
      // flushes the ERR).
      uint16_t code = packet.status().code();
      if (code == er::kNetPacketTooLarge || code == er::kNetPacketsOutOfOrder) {
        error(packet.status());
      }
      co_return false;
    }
    step = handshake.onPacket(*packet);
  }
  co_return step.action == protocol::ServerHandshake::Action::kDone;
}

awaitable<bool> Session::authenticate() {
  AuthorityCredentials accounts(topology_->authority);
  ThrottleGuard guard(*context_.logins);
  scramble_ = protocol::makeScramble();
  // LOAD DATA LOCAL INFILE (frontend/session_load_data.cc), unless the props turn it off.
  const uint32_t localFiles = topology_->props.proxyLocalInfile ? cap::kLocalFiles : 0u;
  protocol::ServerHandshake handshake(handshakeSettings(kServerCapabilities | localFiles), accounts,
                                      &guard);
  if (!co_await converse(handshake, handshake.start())) co_return false;
  io_.setMaxPayload(context_.options.maxAllowedPacket);

  const protocol::HandshakeResult& login = handshake.result();
  capabilities_ = login.capabilities;
  collation_ = login.collation;
  shard_.foundRows = capabilities_ & cap::kFoundRows;
  shard_.variables.reset(executor::charsetVariables(collation_));
  initProxyVariables();
  shard_.multiStatements = capabilities_ & cap::kMultiStatements;
  co_return loggedIn(*accounts.found(), login.database);
}

awaitable<bool> Session::changeUser(const protocol::CommandPacket& command) {
  auto request = protocol::decodeChangeUser(command, capabilities_);
  if (!request) {
    error(Status(er::kUnknownCom, "08S01", "Unknown command"));  // MySQL's answer too
    co_return false;
  }
  AuthorityCredentials accounts(topology_->authority);
  ThrottleGuard guard(*context_.logins);
  // The client answers with the scramble of the session's greeting, as MySQL expects.
  protocol::ServerHandshake handshake(handshakeSettings(capabilities_), accounts, &guard);
  if (!co_await converse(handshake, handshake.changeUser(*request))) co_return false;
  // As COM_RESET_CONNECTION: the transaction is rolled back, backend connections held for the
  // session (and their state) are let go, session variables and prepared statements are gone.
  if (request->collation) collation_ = *request->collation;
  resetConnection();
  shard_.database.clear();
  co_return loggedIn(*accounts.found(), request->database);
}

bool Session::loggedIn(const config::User& user, const std::string& database) {
  // The slot past proxy-frontend-max-connections is an admin's, as MySQL keeps one for a user
  // with SUPER; anyone else learns only now, the user being known, that the proxy is full.
  const int limit = topology_->props.proxyFrontendMaxConnections;
  if (reserved_ && !user.admin && limit > 0 && context_.state.connections.load() > limit) {
    error(Status(er::kConCount, "08004", "Too many connections"));
    return false;
  }
  shard_.setUser(&user, peerHost_);
  // KILL from another session runs on this session's worker, after finding this entry again
  // there (the destructor removes it first), so `this` is alive when it is called.
  context_.state.sessions.add(connectionId_,
                              {worker_.io().get_executor(), this, user.name, peerHost_,
                               [this](bool connection) { killedBy(connection); }, activity_});
  if (!database.empty()) {
    Status s = useDatabase(database);
    if (!s) {
      error(s);
      return false;
    }
  }
  writeOk();
  return true;
}

}  // namespace shardproxy::frontend
