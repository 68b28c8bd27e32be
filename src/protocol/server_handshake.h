// The server side of the connection phase as a resumable state machine that does no I/O: it
// says which packets to write and when to read, and decides the login (greeting, handshake
// response, plugin switch, mysql_native_password, caching_sha2_password fast path and full
// authentication over RSA or a Unix socket). The caller owns the transport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "protocol/auth.h"
#include "protocol/handshake.h"

namespace shardproxy::protocol {

enum class AuthPlugin { kNativePassword, kCachingSha2, kUnsupported };

AuthPlugin pluginByName(std::string_view name);
const char* pluginName(AuthPlugin p);

// The configured plugin when set; otherwise the client's choice if the proxy speaks it, else
// mysql_native_password (reached with an AuthSwitchRequest).
AuthPlugin choosePlugin(std::string_view configuredPlugin, std::string_view clientPlugin);

// MySQL's ER_ACCESS_DENIED_ERROR, word for word.
Status accessDenied(std::string_view user, std::string_view host, bool usingPassword);

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

struct ServerHandshakeSettings {
  std::string serverVersion;
  uint32_t connectionId = 0;
  uint32_t capabilities = 0;       // the server's; the session gets these & the client's
  std::string scramble;            // kScrambleLength bytes (makeScramble())
  const RsaKey* rsaKey = nullptr;  // full authentication over TCP needs one
  bool unixSocket = false;         // a secure transport: full auth may send the password as is
  std::string peerHost;            // the client's address (unused on a Unix socket: localhost)
};

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
    kRead,    // write `packets`, flush, then pass the next packet to onPacket()
    kDone,    // logged in: write `packets`, then the session's own OK (or ERR); see result()
    kFailed,  // write `packets` (one ERR), then close; see error()
  };
  struct Step {
    Action action;
    std::vector<std::string> packets;  // payloads, in order
  };

  ServerHandshake(ServerHandshakeSettings settings, CredentialStore& credentials);

  // The greeting. Call once, first.
  Step start();
  // The client's next packet, after a kRead step. Any other call fails the handshake.
  Step onPacket(std::string_view payload);

  // After kDone.
  const HandshakeResult& result() const { return result_; }
  // After kFailed: the error the ERR packet carries.
  const Status& error() const { return error_; }

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
  Step verify();
  Step onFullAuth(std::string_view payload);
  Step read(std::string packet, State next);
  Step done(std::vector<std::string> packets = {});
  Step fail(Status s);
  Step deny();

  ServerHandshakeSettings settings_;
  CredentialStore& credentials_;
  State state_ = State::kStart;
  std::optional<Credentials> account_;
  AuthPlugin plugin_ = AuthPlugin::kNativePassword;
  bool sentAuthData_ = false;  // the client sent a non-empty auth response at some point
  std::string response_;       // the auth response to check
  HandshakeResult result_;
  Status error_;
};

}  // namespace shardproxy::protocol
