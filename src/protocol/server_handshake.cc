#include "protocol/server_handshake.h"

#include <utility>

#include "protocol/charset.h"
#include "protocol/constants.h"
#include "protocol/ok_err.h"

namespace shardproxy::protocol {

AuthPlugin pluginByName(std::string_view name) {
  if (name == kNativePasswordPlugin) return AuthPlugin::kNativePassword;
  if (name == kCachingSha2Plugin) return AuthPlugin::kCachingSha2;
  return AuthPlugin::kUnsupported;
}

const char* pluginName(AuthPlugin p) {
  return p == AuthPlugin::kCachingSha2 ? kCachingSha2Plugin : kNativePasswordPlugin;
}

AuthPlugin choosePlugin(std::string_view configuredPlugin, std::string_view clientPlugin) {
  AuthPlugin configured = pluginByName(configuredPlugin);
  if (configured != AuthPlugin::kUnsupported) return configured;
  AuthPlugin client = pluginByName(clientPlugin.empty() ? kNativePasswordPlugin : clientPlugin);
  return client == AuthPlugin::kUnsupported ? AuthPlugin::kNativePassword : client;
}

std::string_view cutCharacters(std::string_view text, size_t maxChars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // A character starts at every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<uint8_t>(text[i]) & 0xc0) != 0x80 && chars++ == maxChars) {
      return text.substr(0, i);
    }
  }
  return text;
}

Status accessDenied(std::string_view user, std::string_view host, bool usingPassword) {
  return Status(er::kAccessDenied, "28000",
                "Access denied for user '" + std::string(cutCharacters(user, 48)) + "'@'" +
                    std::string(cutCharacters(host, 64)) +
                    "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
}

Status secureTransportRequired() {
  return Status(er::kSecureTransportRequired, "HY000",
                "Connections using insecure transport are prohibited while "
                "proxy-frontend-ssl-required is true");
}

ServerHandshake::ServerHandshake(ServerHandshakeSettings settings, CredentialStore& credentials,
                                 LoginGuard* guard)
    : settings_(std::move(settings)), credentials_(credentials), guard_(guard) {}

ServerHandshake::Step ServerHandshake::start() {
  if (state_ != State::kStart) return fail(Status(er::kHandshake, "08S01", "Bad handshake"));
  ServerGreeting greeting;
  greeting.serverVersion = settings_.serverVersion;
  greeting.connectionId = settings_.connectionId;
  greeting.scramble = settings_.scramble;
  greeting.capabilities = settings_.capabilities;
  greeting.collation = kUtf8mb4GeneralCi;
  greeting.statusFlags = status::kAutocommit;
  greeting.authPlugin = kNativePasswordPlugin;
  return read(encodeGreeting(greeting), State::kResponse);
}

ServerHandshake::Step ServerHandshake::onPacket(std::string_view payload) {
  switch (state_) {
    case State::kResponse:
      return onResponse(payload);
    case State::kSwitched:
      response_ = payload;
      sentAuthData_ = sentAuthData_ || !payload.empty();
      return verify();
    case State::kFullAuth:
      return onFullAuth(payload);
    case State::kEncrypted: {
      auto plain = settings_.rsaKey->decrypt(payload);
      if (!plain || unscramblePassword(*plain, settings_.scramble) != account_->password) {
        return deny();
      }
      return done();
    }
    case State::kStart:
    case State::kFinished:
      break;
  }
  return fail(Status(er::kHandshake, "08S01", "Bad handshake"));
}

ServerHandshake::Step ServerHandshake::onResponse(std::string_view payload) {
  auto decoded = decodeHandshakeResponse(payload);
  if (!decoded) return fail(Status(er::kHandshake, "08S01", "Bad handshake"));
  if (decoded->sslRequest) {
    // Once per connection, and only when offered; the response follows over TLS.
    if (tls_ || !(settings_.capabilities & cap::kSsl)) {
      return fail(Status(er::kHandshake, "08S01", "Bad handshake"));
    }
    tls_ = true;
    return Step{Action::kStartTls, {}};
  }
  HandshakeResponse& hello = decoded->response;
  result_.capabilities = hello.capabilities & settings_.capabilities;
  result_.collation = hello.collation;
  result_.attributes = std::move(hello.attributes);
  const bool pluginAuth = hello.capabilities & cap::kPluginAuth;
  return login(std::move(hello.user), std::move(hello.database), std::move(hello.authResponse),
               pluginAuth ? std::move(hello.authPlugin) : std::string(), pluginAuth);
}

ServerHandshake::Step ServerHandshake::changeUser(const ChangeUserRequest& request) {
  if (state_ != State::kStart) return fail(Status(er::kHandshake, "08S01", "Bad handshake"));
  result_.capabilities = settings_.capabilities;
  result_.collation = static_cast<uint8_t>(request.collation.value_or(0));
  result_.attributes = request.attributes;
  const bool pluginAuth = settings_.capabilities & cap::kPluginAuth;
  return login(request.user, request.database, request.authResponse,
               pluginAuth ? request.authPlugin : std::string(), pluginAuth);
}

ServerHandshake::Step ServerHandshake::login(std::string user, std::string database,
                                             std::string authResponse, std::string clientPlugin,
                                             bool pluginAuth) {
  result_.user = std::move(user);
  result_.host = settings_.unixSocket ? "localhost" : settings_.peerHost;
  result_.database = std::move(database);
  response_ = std::move(authResponse);
  sentAuthData_ = !response_.empty();
  if (guard_) {
    // Refused before anything is checked: a blocked account's password stays untried.
    Status admitted = guard_->admit(result_.user, result_.host);
    if (!admitted) return fail(std::move(admitted));
  }

  account_ = credentials_.find(result_.user, result_.host);
  if (clientPlugin.empty()) clientPlugin = kNativePasswordPlugin;
  plugin_ = choosePlugin(account_ ? account_->plugin : std::string(), clientPlugin);
  // A client that starts with another plugin than the greeting's may send no data at all and
  // wait to be asked (libmariadb does): ask, as MySQL does on a plugin mismatch.
  bool mustAsk = clientPlugin != pluginName(plugin_) ||
                 (clientPlugin != kNativePasswordPlugin && response_.empty() && account_ &&
                  !account_->password.empty());
  if (mustAsk && pluginAuth) {
    return read(encodeAuthSwitchRequest(pluginName(plugin_), settings_.scramble), State::kSwitched);
  }
  return verify();
}

ServerHandshake::Step ServerHandshake::verify() {
  if (!account_) return deny();
  const std::string& password = account_->password;
  if (plugin_ == AuthPlugin::kNativePassword) {
    return checkNativePassword(response_, password, settings_.scramble) ? done() : deny();
  }
  if (checkCachingSha2(response_, password, settings_.scramble)) {
    if (password.empty()) return done();
    return done({encodeAuthMoreData(std::string(1, kCachingSha2FastAuthOk))});
  }
  if (response_.empty()) return deny();
  // The fast path failed: ask for the password itself, as MySQL does on a cache miss.
  return read(encodeAuthMoreData(std::string(1, kCachingSha2FullAuth)), State::kFullAuth);
}

ServerHandshake::Step ServerHandshake::onFullAuth(std::string_view payload) {
  if (payload == std::string_view(&kCachingSha2PublicKeyRequest, 1) && settings_.rsaKey) {
    return read(encodeAuthMoreData(settings_.rsaKey->publicKeyPem()), State::kEncrypted);
  }
  if (!secure()) return deny();
  // Over TLS or a Unix socket the client may send the password as is.
  if (!payload.empty() && payload.back() == '\0') payload.remove_suffix(1);
  return payload == account_->password ? done() : deny();
}

ServerHandshake::Step ServerHandshake::read(std::string packet, State next) {
  state_ = next;
  Step step{Action::kRead, {}};
  step.packets.push_back(std::move(packet));
  return step;
}

ServerHandshake::Step ServerHandshake::done(std::vector<std::string> packets) {
  // MySQL's order: the password first, then the transport.
  if (settings_.requireSecureTransport && !secure()) {
    return decide(true, fail(secureTransportRequired()));
  }
  return decide(true, Step{Action::kDone, std::move(packets)});
}

ServerHandshake::Step ServerHandshake::decide(bool success, Step step) {
  state_ = State::kFinished;
  if (!guard_) return step;
  LoginGuard::Outcome outcome = guard_->verdict(result_.user, result_.host, success);
  if (!outcome.refusal) step = fail(std::move(outcome.refusal));
  step.delay = outcome.delay;
  return step;
}

ServerHandshake::Step ServerHandshake::fail(Status s) {
  state_ = State::kFinished;
  error_ = std::move(s);
  Step step{Action::kFailed, {}};
  encodeErr(step.packets.emplace_back(),
            ErrPacket{error_.code(), error_.sqlState(), error_.message()});
  return step;
}

ServerHandshake::Step ServerHandshake::deny() {
  return decide(false, fail(accessDenied(result_.user, result_.host, sentAuthData_)));
}

}  // namespace shardproxy::protocol
