// The server side of the connection phase as a resumable state machine that does no I/O: it
// says which packets to write and when to read, and decides the login (greeting, handshake
// response, TLS upgrade after an SSLRequest, plugin switch, mysql_native_password,
// caching_sha2_password fast path and full authentication over RSA or a secure transport). The
// caller owns the transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "protocol/auth.h"
#include "protocol/change_user.h"
#include "protocol/handshake.h"

namespace shardproxy::protocol {

enum class AuthPlugin { kNativePassword, kCachingSha2, kUnsupported };

AuthPlugin pluginByName(std::string_view name);
const char* pluginName(AuthPlugin p);

// The configured plugin when set; otherwise the client's choice if the proxy speaks it, else
// mysql_native_password (reached with an AuthSwitchRequest).
AuthPlugin choosePlugin(std::string_view configuredPlugin, std::string_view clientPlugin);

// MySQL's ER_ACCESS_DENIED_ERROR, word for word: "Access denied for user '%-.48s'@'%-.64s'
// (using password: %s)", the user cut to 48 characters and the host to 64.
Status accessDenied(std::string_view user, std::string_view host, bool usingPassword);

// `text` cut to at most `maxChars` UTF-8 characters, as MySQL's "%-.48s" cuts an argument.
std::string_view cutCharacters(std::string_view text, size_t maxChars);

// An account as the handshake needs it.
struct Credentials {
  std::string password;  // clear text
  std::string plugin;    // the plugin the account must use; empty: any the proxy speaks
};

// Where accounts come from (the configuration's authority, a fake in tests).
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // The account `user` logging in from `host` matches, if any.
  virtual std::optional<Credentials> find(std::string_view user, std::string_view host) = 0;
};

// What repeated failed logins cost (frontend/login_throttle.h in the proxy, a fake in tests). An
// account the guard blocks is refused whatever its password; every verdict may be held back, a
// success as long as a failure, so that the time to the answer tells nothing.
class LoginGuard {
 public:
  struct Outcome {
    Status refusal;                      // an error: answer with it instead of the verdict
    std::chrono::milliseconds delay{0};  // hold back the answer this long
  };
  virtual ~LoginGuard() = default;
  // Before the password is checked: an error status when `user` may not log in from `host` now.
  virtual Status admit(std::string_view user, std::string_view host) = 0;
  // The verdict on the password. Asked again because other connections may have failed since
  // admit().
  virtual Outcome verdict(std::string_view user, std::string_view host, bool success) = 0;
};

struct ServerHandshakeSettings {
  std::string serverVersion;
  uint32_t connectionId = 0;
  // The server's; the session gets these & the client's. With cap::kSsl the caller can start
  // TLS when the client asks (kStartTls).
  uint32_t capabilities = 0;
  std::string scramble;            // kScrambleLength bytes (makeScramble())
  const RsaKey* rsaKey = nullptr;  // full authentication over TCP needs one
  bool unixSocket = false;         // a secure transport: full auth may send the password as is
  std::string peerHost;            // the client's address (unused on a Unix socket: localhost)
  // As MySQL's require_secure_transport: an account that logs in over plain TCP is refused
  // (3159) once its password checks out; TLS and Unix sockets are secure.
  bool requireSecureTransport = false;
  // The connection is TLS already (COM_CHANGE_USER on a connection that started TLS).
  bool tlsActive = false;
};

// MySQL's ER_SECURE_TRANSPORT_REQUIRED, naming the prop that asks for it.
Status secureTransportRequired();

// What a successful login tells the session. Whether the user may use `database`, and whether
// it exists, is the session's to check: the answer needs the configuration, and a refusal there
// comes after the login (MySQL's order too).
struct HandshakeResult {
  std::string user;
  std::string host;           // as accounts are matched: "localhost" on a Unix socket
  std::string database;       // requested with CLIENT_CONNECT_WITH_DB; empty if none
  uint32_t capabilities = 0;  // the client's & the server's
  uint8_t collation = 0;
  std::vector<std::pair<std::string, std::string>> attributes;  // CLIENT_CONNECT_ATTRS
};

class ServerHandshake {
 public:
  enum class Action {
    kRead,      // write `packets`, flush, then pass the next packet to onPacket()
    kStartTls,  // write `packets`, flush, start TLS as the server, then read as for kRead
    kDone,      // logged in: write `packets`, then the session's own OK (or ERR); see result()
    kFailed,    // write `packets` (one ERR), then close; see error()
  };
  struct Step {
    Action action;
    std::vector<std::string> packets;  // payloads, in order
    // Wait this long before writing `packets` (the guard holds back a verdict); the wait must
    // not block anyone else.
    std::chrono::milliseconds delay{0};
  };

  // Without a `guard`, failed logins cost nothing.
  ServerHandshake(ServerHandshakeSettings settings, CredentialStore& credentials,
                  LoginGuard* guard = nullptr);

  // The greeting. Call once, first.
  Step start();
  // COM_CHANGE_USER: the login of a session that is logged in already, in place of start() and
  // the handshake response. The settings carry the scramble of the session's greeting and its
  // capabilities.
  Step changeUser(const ChangeUserRequest& request);
  // The client's next packet, after a kRead step. Any other call fails the handshake.
  Step onPacket(std::string_view payload);

  // After kDone.
  const HandshakeResult& result() const { return result_; }
  // After kFailed: the error the ERR packet carries.
  const Status& error() const { return error_; }
  // Whether the client asked for TLS (from the kStartTls step on).
  bool tls() const { return tls_; }

 private:
  enum class State {
    kStart,
    kResponse,   // waiting for HandshakeResponse41
    kSwitched,   // waiting for the reply to AuthSwitchRequest
    kFullAuth,   // caching_sha2: waiting for a public key request or the clear password
    kEncrypted,  // caching_sha2: waiting for the RSA-encrypted password
    kFinished,
  };

  Step onResponse(std::string_view payload);
  // The account named by a handshake response or COM_CHANGE_USER (result_ holds the rest).
  Step login(std::string user, std::string database, std::string authResponse,
             std::string clientPlugin, bool pluginAuth);
  Step verify();
  Step onFullAuth(std::string_view payload);
  Step read(std::string packet, State next);
  Step done(std::vector<std::string> packets = {});
  // The guard's word on a verdict: `step` as it is, or refused, and when to send it.
  Step decide(bool success, Step step);
  Step fail(Status s);
  Step deny();
  bool secure() const { return tls_ || settings_.tlsActive || settings_.unixSocket; }

  ServerHandshakeSettings settings_;
  CredentialStore& credentials_;
  LoginGuard* guard_;
  State state_ = State::kStart;
  std::optional<Credentials> account_;
  AuthPlugin plugin_ = AuthPlugin::kNativePassword;
  bool sentAuthData_ = false;  // the client sent a non-empty auth response at some point
  std::string response_;       // the auth response to check
  HandshakeResult result_;
  Status error_;
  bool tls_ = false;
};

}  // namespace shardproxy::protocol
