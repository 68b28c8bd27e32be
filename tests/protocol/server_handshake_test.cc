// The server side of the connection phase: scripted exchanges against the state machine (what
// it writes, what the client answers, how it ends), plugin choice, and hostile input (responses
// cut at every byte, corrupted or extra packets, transport errors at every read and write).
#include "protocol/server_handshake.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/auth.h"
#include "protocol/charset.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/ok_err.h"
#include "protocol/rsa_client.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using Action = ServerHandshake::Action;
using test::toHex;

const std::string kScramble = "ABCDEFGHIJKLMNOPQRST";
constexpr uint32_t kServerCaps = cap::kLongPassword | cap::kFoundRows | cap::kConnectWithDb |
                                 cap::kProtocol41 | cap::kTransactions | cap::kSecureConnection |
                                 cap::kMultiStatements | cap::kPluginAuth | cap::kConnectAttrs |
                                 cap::kPluginAuthLenencData | cap::kDeprecateEof;
constexpr uint32_t kClientCaps = kServerCaps | cap::kLocalFiles;

// Accounts by user name (any host); remembers where each lookup said the client came from.
class FakeCredentials final : public CredentialStore {
 public:
  std::optional<Credentials> find(std::string_view user, std::string_view host) override {
    lookups.emplace_back(std::string(user) + "@" + std::string(host));
    auto it = accounts.find(std::string(user));
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, Credentials> accounts = {
      {"alice", {"secret", ""}},
      {"bob", {"s3cret!", kCachingSha2Plugin}},
      {"carol", {"", ""}},
      {"dave", {"pw", kNativePasswordPlugin}},
  };
  std::vector<std::string> lookups;
};

const RsaKey& rsaKey() {
  static const std::unique_ptr<RsaKey> key = RsaKey::generate(2048);
  return *key;
}

HandshakeResponse response(std::string user, std::string auth, std::string plugin) {
  HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.maxPacketSize = 1 << 24;
  r.collation = 45;  // utf8mb4_general_ci
  r.user = std::move(user);
  r.authResponse = std::move(auth);
  r.authPlugin = std::move(plugin);
  return r;
}

std::string hello(std::string user, std::string auth, std::string plugin = kNativePasswordPlugin) {
  return encodeHandshakeResponse(response(std::move(user), std::move(auth), std::move(plugin)));
}

std::string moreData(char c) { return encodeAuthMoreData(std::string(1, c)); }

std::string rsaPassword(std::string_view password) {
  return test::encryptWithPublicPem(rsaKey().publicKeyPem(),
                                    test::clientPlaintext(password, kScramble))
      .value();
}

struct Transport {
  bool unixSocket = false;
  bool rsa = true;
  bool tls = false;            // the server offers TLS (CLIENT_SSL in its capabilities)
  bool requireSecure = false;  // proxy-frontend-ssl-required
};

ServerHandshake machine(CredentialStore& store, Transport t = {}, LoginGuard* guard = nullptr) {
  return ServerHandshake(
      {"5.7.99-shardproxy", 42, kServerCaps | (t.tls ? cap::kSsl : 0u), kScramble,
       t.rsa ? &rsaKey() : nullptr, t.unixSocket, "10.0.0.7", t.requireSecure},
      store, guard);
}

// Says what it was asked, in order; blocks the users in `blocked` (at admit(), or only at the
// verdict with `blockAtVerdict`) and holds every verdict back by `delay`.
class FakeGuard final : public LoginGuard {
 public:
  Status admit(std::string_view user, std::string_view host) override {
    calls.push_back("admit " + std::string(user) + "@" + std::string(host));
    if (blocked.count(std::string(user)) && !blockAtVerdict) return refusal();
    return Status::ok();
  }
  Outcome verdict(std::string_view user, std::string_view host, bool success) override {
    calls.push_back(std::string(success ? "success " : "failure ") + std::string(user) + "@" +
                    std::string(host));
    if (blocked.count(std::string(user))) return {refusal(), {}};
    return {Status::ok(), delay};
  }
  static Status refusal() { return Status(1129, "HY000", "Host '10.0.0.7' is blocked"); }

  std::set<std::string> blocked;
  bool blockAtVerdict = false;
  std::chrono::milliseconds delay{1500};
  std::vector<std::string> calls;
};

// One exchange: after the greeting, the client sends `client[i]` and the machine answers with
// `server[i]`; the last answer ends the handshake with `outcome`.
struct Exchange {
  std::string name;
  Transport transport;
  std::vector<std::string> client;
  std::vector<std::vector<std::string>> server;
  Action outcome;
  std::string error;  // kFailed: the ERR's message
};

// SSLRequest: capabilities with CLIENT_SSL, max packet, collation, 23 zero bytes, nothing more.
std::string sslRequest() {
  HandshakeResponse r = response("", "", "");
  std::string full = encodeHandshakeResponse(r);
  std::string ssl = full.substr(0, 32);
  uint32_t caps = kClientCaps | cap::kSsl;
  for (int i = 0; i < 4; ++i) ssl[i] = static_cast<char>(caps >> (8 * i));
  return ssl;
}

std::vector<Exchange> exchanges() {
  const std::string native = nativePasswordToken("secret", kScramble);
  const std::string sha2 = cachingSha2Token("s3cret!", kScramble);
  const std::string wrongSha2 = cachingSha2Token("wrong", kScramble);
  const std::string switchToSha2 = encodeAuthSwitchRequest(kCachingSha2Plugin, kScramble);
  const std::string switchToNative = encodeAuthSwitchRequest(kNativePasswordPlugin, kScramble);
  const std::string pem = encodeAuthMoreData(rsaKey().publicKeyPem());
  const std::string deniedBob = "Access denied for user 'bob'@'10.0.0.7' (using password: YES)";
  const std::string pubKeyRequest(1, kCachingSha2PublicKeyRequest);
  const Transport unix{true, false};
  const Transport tls{false, true, true};
  const Transport tlsRequired{false, true, true, true};
  const std::string insecure =
      "Connections using insecure transport are prohibited while proxy-frontend-ssl-required "
      "is true";
  return {
      {"native password", {}, {hello("alice", native)}, {{}}, Action::kDone, ""},
      {"native password, wrong",
       {},
       {hello("alice", nativePasswordToken("Secret", kScramble))},
       {{}},
       Action::kFailed,
       "Access denied for user 'alice'@'10.0.0.7' (using password: YES)"},
      {"native, empty password", {}, {hello("carol", "")}, {{}}, Action::kDone, ""},
      {"native, empty response for a user with a password",
       {},
       {hello("alice", "")},
       {{}},
       Action::kFailed,
       "Access denied for user 'alice'@'10.0.0.7' (using password: NO)"},
      {"unknown user",
       {},
       {hello("mallory", native)},
       {{}},
       Action::kFailed,
       "Access denied for user 'mallory'@'10.0.0.7' (using password: YES)"},
      {"unknown user, unknown plugin: asked to switch first",
       {},
       {hello("mallory", "x", "auth_gssapi_client"), ""},
       {{switchToNative}, {}},
       Action::kFailed,
       "Access denied for user 'mallory'@'10.0.0.7' (using password: YES)"},
      {"caching_sha2 fast path",
       {},
       {hello("bob", sha2, kCachingSha2Plugin)},
       {{moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"caching_sha2 fast path, empty password needs no fast-auth-ok",
       {},
       {hello("carol", std::string(1, '\0'), kCachingSha2Plugin)},
       {{}},
       Action::kDone,
       ""},
      {"caching_sha2 without data for a user with a password: asked again (libmariadb)",
       {},
       {hello("alice", "", kCachingSha2Plugin), cachingSha2Token("secret", kScramble)},
       {{switchToSha2}, {moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"plugin switch: account on caching_sha2, client starts with native",
       {},
       {hello("bob", nativePasswordToken("s3cret!", kScramble)), sha2},
       {{switchToSha2}, {moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"plugin switch: account on native, client starts with caching_sha2",
       {},
       {hello("dave", cachingSha2Token("pw", kScramble), kCachingSha2Plugin),
        nativePasswordToken("pw", kScramble)},
       {{switchToNative}, {}},
       Action::kDone,
       ""},
      {"plugin switch: unknown client plugin",
       {},
       {hello("alice", "x", "mysql_clear_password"), native},
       {{switchToNative}, {}},
       Action::kDone,
       ""},
      {"plugin switch, wrong answer",
       {},
       {hello("bob", "", kNativePasswordPlugin), ""},
       {{switchToSha2}, {}},
       Action::kFailed,
       "Access denied for user 'bob'@'10.0.0.7' (using password: NO)"},
      {"full authentication over RSA",
       {},
       {hello("bob", wrongSha2, kCachingSha2Plugin), pubKeyRequest, rsaPassword("s3cret!")},
       {{moreData(kCachingSha2FullAuth)}, {pem}, {}},
       Action::kDone,
       ""},
      {"full authentication over RSA, wrong password",
       {},
       {hello("bob", wrongSha2, kCachingSha2Plugin), pubKeyRequest, rsaPassword("wrong")},
       {{moreData(kCachingSha2FullAuth)}, {pem}, {}},
       Action::kFailed,
       deniedBob},
      {"full authentication over RSA, garbage instead of the cipher",
       {},
       {hello("bob", wrongSha2, kCachingSha2Plugin), pubKeyRequest, "s3cret!"},
       {{moreData(kCachingSha2FullAuth)}, {pem}, {}},
       Action::kFailed,
       deniedBob},
      {"full authentication: clear password over TCP is refused",
       {},
       {hello("bob", wrongSha2, kCachingSha2Plugin), std::string("s3cret!\0", 8)},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kFailed,
       deniedBob},
      {"full authentication: public key request without a key",
       {false, false},
       {hello("bob", wrongSha2, kCachingSha2Plugin), pubKeyRequest},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kFailed,
       deniedBob},
      {"full authentication over a Unix socket",
       unix,
       {hello("bob", wrongSha2, kCachingSha2Plugin), std::string("s3cret!\0", 8)},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kDone,
       ""},
      {"full authentication over a Unix socket, without the NUL",
       unix,
       {hello("bob", wrongSha2, kCachingSha2Plugin), "s3cret!"},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kDone,
       ""},
      {"full authentication over a Unix socket, wrong password",
       unix,
       {hello("bob", wrongSha2, kCachingSha2Plugin), std::string("secret!\0", 8)},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kFailed,
       "Access denied for user 'bob'@'localhost' (using password: YES)"},
      {"caching_sha2, empty response, empty answer to the switch",
       {},
       {hello("bob", "", kCachingSha2Plugin), ""},
       {{switchToSha2}, {}},
       Action::kFailed,
       "Access denied for user 'bob'@'10.0.0.7' (using password: NO)"},
      {"SSL request without TLS offered is refused",
       {},
       {sslRequest()},
       {{}},
       Action::kFailed,
       "Bad handshake"},
      {"TLS, then native password",
       tls,
       {sslRequest(), hello("alice", native)},
       {{}, {}},
       Action::kDone,
       ""},
      {"TLS, then the caching_sha2 fast path",
       tls,
       {sslRequest(), hello("bob", sha2, kCachingSha2Plugin)},
       {{}, {moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"full authentication over TLS: the clear password",
       tls,
       {sslRequest(), hello("bob", wrongSha2, kCachingSha2Plugin), std::string("s3cret!\0", 8)},
       {{}, {moreData(kCachingSha2FullAuth)}, {}},
       Action::kDone,
       ""},
      {"full authentication over TLS, wrong clear password",
       tls,
       {sslRequest(), hello("bob", wrongSha2, kCachingSha2Plugin), std::string("secret!\0", 8)},
       {{}, {moreData(kCachingSha2FullAuth)}, {}},
       Action::kFailed,
       deniedBob},
      {"full authentication over RSA with TLS offered but not used",
       tls,
       {hello("bob", wrongSha2, kCachingSha2Plugin), pubKeyRequest, rsaPassword("s3cret!")},
       {{moreData(kCachingSha2FullAuth)}, {pem}, {}},
       Action::kDone,
       ""},
      {"full authentication: clear password over TCP with TLS offered but not used",
       tls,
       {hello("bob", wrongSha2, kCachingSha2Plugin), std::string("s3cret!\0", 8)},
       {{moreData(kCachingSha2FullAuth)}, {}},
       Action::kFailed,
       deniedBob},
      {"SSL request twice",
       tls,
       {sslRequest(), sslRequest()},
       {{}, {}},
       Action::kFailed,
       "Bad handshake"},
      {"TLS required: plain TCP with the right password",
       tlsRequired,
       {hello("alice", native)},
       {{}},
       Action::kFailed,
       insecure},
      {"TLS required: plain TCP, caching_sha2 fast path",
       tlsRequired,
       {hello("bob", sha2, kCachingSha2Plugin)},
       {{}},
       Action::kFailed,
       insecure},
      {"TLS required: plain TCP with a wrong password is denied as usual",
       tlsRequired,
       {hello("alice", nativePasswordToken("Secret", kScramble))},
       {{}},
       Action::kFailed,
       "Access denied for user 'alice'@'10.0.0.7' (using password: YES)"},
      {"TLS required: over TLS",
       tlsRequired,
       {sslRequest(), hello("alice", native)},
       {{}, {}},
       Action::kDone,
       ""},
      {"TLS required: a Unix socket is secure",
       {true, false, false, true},
       {hello("alice", native)},
       {{}},
       Action::kDone,
       ""},
      {"not a handshake response", {}, {"\x03SELECT 1"}, {{}}, Action::kFailed, "Bad handshake"},
      {"empty packet", {}, {""}, {{}}, Action::kFailed, "Bad handshake"},
  };
}

// Plays `e` against the machine; checks every step. Returns the last step.
ServerHandshake::Step play(ServerHandshake& m, const Exchange& e) {
  ServerHandshake::Step step = m.start();
  EXPECT_EQ(step.action, Action::kRead);
  for (size_t i = 0; i < e.client.size(); ++i) {
    SCOPED_TRACE("client packet " + std::to_string(i));
    // TLS starts after an SSL request, and only then.
    bool afterSslRequest = i > 0 && e.client[i - 1] == sslRequest();
    EXPECT_EQ(step.action, afterSslRequest ? Action::kStartTls : Action::kRead);
    if (step.action != Action::kRead && step.action != Action::kStartTls) return step;
    step = m.onPacket(e.client[i]);
    if (step.action == Action::kFailed) break;
    std::vector<std::string> expected = e.server.at(i);
    EXPECT_EQ(step.packets.size(), expected.size()) << "step " << i;
    for (size_t j = 0; j < std::min(expected.size(), step.packets.size()); ++j) {
      EXPECT_BYTES_EQ(expected[j], step.packets[j]);
    }
  }
  return step;
}

TEST(ServerHandshakeTest, ScriptedExchanges) {
  for (const Exchange& e : exchanges()) {
    SCOPED_TRACE(e.name);
    FakeCredentials store;
    ServerHandshake m = machine(store, e.transport);
    ServerHandshake::Step step = play(m, e);
    ASSERT_EQ(step.action, e.outcome);
    if (e.outcome == Action::kFailed) {
      ASSERT_EQ(step.packets.size(), 1u);
      auto err = decodeErr(step.packets[0]);
      ASSERT_TRUE(err) << toHex(step.packets[0]);
      EXPECT_EQ(err->message, e.error);
      EXPECT_EQ(err->message, m.error().message());
      EXPECT_EQ(err->code, m.error().code());
      EXPECT_EQ(err->sqlState, m.error().sqlState());
      if (e.error == "Bad handshake") {
        EXPECT_EQ(err->code, er::kHandshake);
        EXPECT_EQ(err->sqlState, "08S01");
      } else if (e.error.starts_with("Connections using insecure transport")) {
        EXPECT_EQ(err->code, er::kSecureTransportRequired);
        EXPECT_EQ(err->sqlState, "HY000");
      } else {
        EXPECT_EQ(err->code, er::kAccessDenied);
        EXPECT_EQ(err->sqlState, "28000");
      }
    }
    EXPECT_EQ(m.tls(), !e.client.empty() && e.client[0] == sslRequest() && e.transport.tls);
    // The handshake is over: anything more is refused.
    ServerHandshake::Step extra = m.onPacket(hello("alice", ""));
    EXPECT_EQ(extra.action, Action::kFailed);
    EXPECT_EQ(m.error().code(), er::kHandshake);
  }
}

TEST(ServerHandshakeTest, GreetingCarriesTheSettings) {
  FakeCredentials store;
  ServerHandshake m = machine(store);
  ServerHandshake::Step step = m.start();
  ASSERT_EQ(step.action, Action::kRead);
  ASSERT_EQ(step.packets.size(), 1u);
  ServerGreeting expected{
      "5.7.99-shardproxy",  42, kScramble, kServerCaps, kUtf8mb4GeneralCi, status::kAutocommit,
      kNativePasswordPlugin};
  EXPECT_BYTES_EQ(encodeGreeting(expected), step.packets[0]);
  // start() is the first call and only once.
  EXPECT_EQ(m.start().action, Action::kFailed);
  ServerHandshake fresh = machine(store);
  EXPECT_EQ(fresh.onPacket(hello("alice", "")).action, Action::kFailed);
  // CLIENT_SSL is announced only when TLS is offered.
  auto greetingCaps = [&store](Transport t) {
    ServerHandshake offered = machine(store, t);
    ServerHandshake::Step first = offered.start();
    return first.packets.empty() ? 0u : decodeGreeting(first.packets[0])->capabilities;
  };
  EXPECT_EQ(greetingCaps({}) & cap::kSsl, 0u);
  EXPECT_EQ(greetingCaps({false, true, true}) & cap::kSsl, cap::kSsl);
}

TEST(ServerHandshakeTest, ResultNegotiatesCapabilitiesAndKeepsTheRequest) {
  FakeCredentials store;
  ServerHandshake m = machine(store);
  HandshakeResponse r =
      response("alice", nativePasswordToken("secret", kScramble), kNativePasswordPlugin);
  r.database = "shop";
  r.collation = 224;
  r.attributes = {{"_client_name", "libmariadb"}, {"program_name", "mysql"}};
  m.start();
  ASSERT_EQ(m.onPacket(encodeHandshakeResponse(r)).action, Action::kDone);
  const HandshakeResult& result = m.result();
  EXPECT_EQ(result.user, "alice");
  EXPECT_EQ(result.host, "10.0.0.7");
  EXPECT_EQ(result.database, "shop");
  EXPECT_EQ(result.capabilities, kServerCaps);  // not the client's kLocalFiles
  EXPECT_EQ(result.collation, 224);
  EXPECT_EQ(result.attributes, r.attributes);
  EXPECT_EQ(store.lookups, std::vector<std::string>{"alice@10.0.0.7"});
}

TEST(ServerHandshakeTest, UnixSocketClientsAreLocalhost) {
  FakeCredentials store;
  ServerHandshake m = machine(store, {true, true});
  m.start();
  ASSERT_EQ(m.onPacket(hello("alice", nativePasswordToken("secret", kScramble))).action,
            Action::kDone);
  EXPECT_EQ(m.result().host, "localhost");
  EXPECT_EQ(store.lookups, std::vector<std::string>{"alice@localhost"});
}

// Without CLIENT_PLUGIN_AUTH there is no AuthSwitchRequest: the first response is checked.
TEST(ServerHandshakeTest, OldClientsAreNotAskedToSwitch) {
  FakeCredentials store;
  for (auto [token, outcome] : {std::pair{nativePasswordToken("secret", kScramble), Action::kDone},
                                std::pair{std::string("x"), Action::kFailed}}) {
    HandshakeResponse r = response("alice", token, "");
    r.capabilities &= ~cap::kPluginAuth;
    ServerHandshake m = machine(store);
    m.start();
    EXPECT_EQ(m.onPacket(encodeHandshakeResponse(r)).action, outcome);
  }
}

TEST(ServerHandshakeTest, ChoosePlugin) {
  struct Case {
    const char* configured;
    const char* client;
    AuthPlugin expected;
  };
  const Case cases[] = {
      {"", "", AuthPlugin::kNativePassword},
      {"", kNativePasswordPlugin, AuthPlugin::kNativePassword},
      {"", kCachingSha2Plugin, AuthPlugin::kCachingSha2},
      {"", "auth_gssapi_client", AuthPlugin::kNativePassword},
      {kCachingSha2Plugin, kNativePasswordPlugin, AuthPlugin::kCachingSha2},
      {kNativePasswordPlugin, kCachingSha2Plugin, AuthPlugin::kNativePassword},
      {"ldap", kCachingSha2Plugin, AuthPlugin::kCachingSha2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.configured) + " / " + c.client);
    EXPECT_EQ(choosePlugin(c.configured, c.client), c.expected);
  }
  EXPECT_STREQ(pluginName(AuthPlugin::kCachingSha2), kCachingSha2Plugin);
  EXPECT_STREQ(pluginName(AuthPlugin::kNativePassword), kNativePasswordPlugin);
  EXPECT_EQ(pluginByName("caching_sha2_password"), AuthPlugin::kCachingSha2);
  EXPECT_EQ(pluginByName("sha256_password"), AuthPlugin::kUnsupported);
}

// A HandshakeResponse cut at every byte (and with bytes appended) ends cleanly, never with a
// crash or a read past the packet (AddressSanitizer builds). The decoder accepts a response
// whose trailing fields (database, plugin, attributes) are cut short, so some prefixes log in.
TEST(ServerHandshakeTest, TruncatedResponsesFailCleanly) {
  HandshakeResponse r =
      response("alice", nativePasswordToken("secret", kScramble), kNativePasswordPlugin);
  r.database = "shop";
  r.attributes = {{"_client_name", "libmariadb"}};
  const std::string full = encodeHandshakeResponse(r);
  const size_t tokenEnd = full.find("shop");
  FakeCredentials store;
  for (size_t n = 0; n <= full.size() + 3; ++n) {
    SCOPED_TRACE(n);
    std::string packet =
        n <= full.size() ? full.substr(0, n) : full + std::string(n - full.size(), 'x');
    std::unique_ptr<char[]> copy(new char[packet.size()]);
    std::copy(packet.begin(), packet.end(), copy.get());
    ServerHandshake m = machine(store);
    m.start();
    ServerHandshake::Step step = m.onPacket(std::string_view(copy.get(), packet.size()));
    switch (step.action) {
      case Action::kDone:
        EXPECT_GE(n, tokenEnd) << "logged in without the whole token";
        EXPECT_EQ(m.result().user, "alice");
        EXPECT_EQ(std::string("shop").substr(0, m.result().database.size()), m.result().database);
        EXPECT_TRUE(step.packets.empty());
        break;
      case Action::kRead:  // the plugin name was cut: the client is asked to switch
        EXPECT_EQ(step.packets, std::vector<std::string>{
                                    encodeAuthSwitchRequest(kNativePasswordPlugin, kScramble)});
        break;
      case Action::kFailed: {
        ASSERT_EQ(step.packets.size(), 1u);
        auto err = decodeErr(step.packets[0]);
        ASSERT_TRUE(err);
        EXPECT_TRUE(err->code == er::kHandshake || err->code == er::kAccessDenied) << err->code;
        break;
      }
      case Action::kStartTls:  // TLS is not offered here
        ADD_FAILURE() << "TLS started";
        break;
    }
  }
}

// Every scripted exchange with a guard: the guard is asked before the password is checked and
// for the verdict, whatever the outcome, and the step that carries the verdict waits as long for
// a success as for a failure. Bad handshakes (no account named) are not the guard's business.
TEST(ServerHandshakeTest, GuardSeesEveryVerdictAndHoldsItBack) {
  for (const Exchange& e : exchanges()) {
    SCOPED_TRACE(e.name);
    FakeCredentials store;
    FakeGuard guard;
    ServerHandshake m = machine(store, e.transport, &guard);
    ServerHandshake::Step step = m.start();
    EXPECT_EQ(step.delay.count(), 0);
    auto more = [](Action a) { return a == Action::kRead || a == Action::kStartTls; };
    for (size_t i = 0; i < e.client.size() && more(step.action); ++i) {
      step = m.onPacket(e.client[i]);
      // Only the last step carries a verdict.
      if (more(step.action)) {
        EXPECT_EQ(step.delay.count(), 0);
      }
    }
    ASSERT_EQ(step.action, e.outcome);
    if (e.error == "Bad handshake") {
      EXPECT_TRUE(guard.calls.empty());
      EXPECT_EQ(step.delay.count(), 0);
      continue;
    }
    ASSERT_EQ(guard.calls.size(), 2u);
    std::string account = m.result().user + "@" + m.result().host;
    EXPECT_EQ(guard.calls[0], "admit " + account);
    // A right password over a transport the settings refuse (3159) is not a guess: it counts
    // as a success, though the login fails.
    bool passwordRight = e.outcome == Action::kDone ||
                         e.error.find("insecure transport") != std::string::npos;
    EXPECT_EQ(guard.calls[1], (passwordRight ? "success " : "failure ") + account);
    EXPECT_EQ(step.delay, guard.delay);
  }
}

// A blocked account is refused with the guard's error before its password is checked (no
// account lookup, no plugin switch), and the right password does not get through either.
TEST(ServerHandshakeTest, BlockedAccountIsRefusedBeforeItsPasswordIsChecked) {
  const std::string native = nativePasswordToken("secret", kScramble);
  for (bool atVerdict : {false, true}) {
    SCOPED_TRACE(atVerdict ? "blocked at the verdict" : "blocked at admit");
    FakeCredentials store;
    FakeGuard guard;
    guard.blocked = {"alice", "bob"};
    guard.blockAtVerdict = atVerdict;
    for (auto [user, token, plugin] :
         {std::tuple{"alice", native, kNativePasswordPlugin},
          std::tuple{"bob", cachingSha2Token("s3cret!", kScramble), kCachingSha2Plugin}}) {
      SCOPED_TRACE(user);
      ServerHandshake m = machine(store, {}, &guard);
      m.start();
      ServerHandshake::Step step = m.onPacket(hello(user, token, plugin));
      ASSERT_EQ(step.action, Action::kFailed);
      ASSERT_EQ(step.packets.size(), 1u);
      auto err = decodeErr(step.packets[0]);
      ASSERT_TRUE(err);
      EXPECT_EQ(err->code, 1129);
      EXPECT_EQ(err->sqlState, "HY000");
      EXPECT_EQ(err->message, FakeGuard::refusal().message());
      EXPECT_EQ(m.error().code(), 1129);
      EXPECT_EQ(step.delay.count(), 0);
    }
    if (!atVerdict) {
      EXPECT_TRUE(store.lookups.empty());
    }
  }
  // Another account is not concerned.
  FakeCredentials store;
  FakeGuard guard;
  guard.blocked = {"bob"};
  ServerHandshake m = machine(store, {}, &guard);
  m.start();
  EXPECT_EQ(m.onPacket(hello("alice", native)).action, Action::kDone);
}

// MySQL prints the user with "%-.48s" and the host with "%-.64s": a huge user name is not
// echoed whole, and a character is never split.
TEST(ServerHandshakeTest, AccessDeniedCutsLongNames) {
  FakeCredentials store;
  ServerHandshake m = machine(store);
  m.start();
  std::string user(16 * 1024 * 1024, 'u');
  ServerHandshake::Step step = m.onPacket(hello(user, "x"));
  ASSERT_EQ(step.action, Action::kFailed);
  auto err = decodeErr(step.packets[0]);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "Access denied for user '" + std::string(48, 'u') +
                              "'@'10.0.0.7' (using password: YES)");
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "\xc3\xa9";  // e-acute, 2 bytes each
  EXPECT_EQ(accessDenied(accented, std::string(100, 'h'), false).message(),
            "Access denied for user '" + accented.substr(0, 96) + "'@'" + std::string(64, 'h') +
                "' (using password: NO)");
  EXPECT_EQ(cutCharacters("ab\xe2\x82\xac", 3), "ab\xe2\x82\xac");
  EXPECT_EQ(cutCharacters("ab\xe2\x82\xac", 2), "ab");
  EXPECT_EQ(cutCharacters("", 0), "");
}

ChangeUserRequest changeTo(std::string user, std::string auth, std::string plugin,
                           std::string database = "") {
  ChangeUserRequest r;
  r.user = std::move(user);
  r.authResponse = std::move(auth);
  r.authPlugin = std::move(plugin);
  r.database = std::move(database);
  r.collation = 45;
  return r;
}

// COM_CHANGE_USER goes through the same login as a handshake response, with the scramble of the
// session's greeting: both plugins, the plugin switch, wrong passwords, and the guard.
TEST(ServerHandshakeTest, ChangeUser) {
  const std::string sha2 = cachingSha2Token("s3cret!", kScramble);
  struct Case {
    std::string name;
    ChangeUserRequest request;
    std::vector<std::string> client;               // after the request
    std::vector<std::vector<std::string>> server;  // the answer to the request, then to each
    Action outcome;
    std::string error;
  };
  const Case cases[] = {
      {"native",
       changeTo("alice", nativePasswordToken("secret", kScramble), kNativePasswordPlugin, "shop"),
       {},
       {{}},
       Action::kDone,
       ""},
      {"native, wrong password",
       changeTo("alice", nativePasswordToken("Secret", kScramble), kNativePasswordPlugin),
       {},
       {{}},
       Action::kFailed,
       "Access denied for user 'alice'@'10.0.0.7' (using password: YES)"},
      {"caching_sha2 fast path",
       changeTo("bob", sha2, kCachingSha2Plugin),
       {},
       {{moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"switched to caching_sha2",
       changeTo("bob", nativePasswordToken("s3cret!", kScramble), kNativePasswordPlugin),
       {sha2},
       {{encodeAuthSwitchRequest(kCachingSha2Plugin, kScramble)},
        {moreData(kCachingSha2FastAuthOk)}},
       Action::kDone,
       ""},
      {"switched to native, wrong answer",
       changeTo("dave", cachingSha2Token("pw", kScramble), kCachingSha2Plugin),
       {nativePasswordToken("nope", kScramble)},
       {{encodeAuthSwitchRequest(kNativePasswordPlugin, kScramble)}, {}},
       Action::kFailed,
       "Access denied for user 'dave'@'10.0.0.7' (using password: YES)"},
      {"unknown user",
       changeTo("mallory", nativePasswordToken("x", kScramble), kNativePasswordPlugin),
       {},
       {{}},
       Action::kFailed,
       "Access denied for user 'mallory'@'10.0.0.7' (using password: YES)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeCredentials store;
    FakeGuard guard;
    guard.delay = std::chrono::milliseconds(0);
    ServerHandshake m = machine(store, {}, &guard);
    ServerHandshake::Step step = m.changeUser(c.request);
    for (size_t i = 0;; ++i) {
      ASSERT_LT(i, c.server.size());
      if (step.action == Action::kFailed) break;  // one ERR, checked below
      EXPECT_EQ(step.packets.size(), c.server[i].size()) << "step " << i;
      for (size_t j = 0; j < std::min(step.packets.size(), c.server[i].size()); ++j) {
        EXPECT_BYTES_EQ(c.server[i][j], step.packets[j]);
      }
      if (step.action != Action::kRead || i >= c.client.size()) break;
      step = m.onPacket(c.client[i]);
    }
    ASSERT_EQ(step.action, c.outcome);
    if (c.outcome == Action::kFailed) {
      EXPECT_EQ(m.error().message(), c.error);
      EXPECT_EQ(m.error().code(), er::kAccessDenied);
    } else {
      EXPECT_EQ(m.result().user, c.request.user);
      EXPECT_EQ(m.result().database, c.request.database);
      EXPECT_EQ(m.result().capabilities, kServerCaps);  // the session's
    }
    ASSERT_EQ(guard.calls.size(), 2u);
    EXPECT_EQ(guard.calls[0], "admit " + c.request.user + "@10.0.0.7");
    EXPECT_EQ(guard.calls[1], std::string(c.outcome == Action::kDone ? "success " : "failure ") +
                                  c.request.user + "@10.0.0.7");
  }
  // Only on a fresh machine, in place of start().
  FakeCredentials store;
  ServerHandshake m = machine(store);
  m.start();
  EXPECT_EQ(m.changeUser(changeTo("alice", "", "")).action, Action::kFailed);
  // A blocked account cannot change to it either.
  FakeGuard guard;
  guard.blocked = {"alice"};
  ServerHandshake blocked = machine(store, {}, &guard);
  ServerHandshake::Step step =
      blocked.changeUser(changeTo("alice", nativePasswordToken("secret", kScramble), ""));
  EXPECT_EQ(step.action, Action::kFailed);
  EXPECT_EQ(blocked.error().code(), 1129);
}

// Corrupting any one client packet of a successful exchange (empty, an ERR, random bytes, one
// byte flipped) never logs in, and each machine ends on a Failed step or waits for more.
TEST(ServerHandshakeTest, CorruptedClientPacketsNeverLogIn) {
  for (const Exchange& e : exchanges()) {
    if (e.outcome != Action::kDone) continue;
    if (e.name.find("empty password") != std::string::npos) continue;  // empty is the password
    for (size_t i = 0; i < e.client.size(); ++i) {
      std::string flipped = e.client[i];
      flipped.back() = static_cast<char>(flipped.back() ^ 0x01);
      for (const std::string& bad : {std::string(), std::string("\xff\x15\x04#28000nope"),
                                     test::patternBytes(40, static_cast<uint32_t>(i)), flipped}) {
        // The SSL request's last byte is filler, which MySQL does not read either.
        if (bad == flipped && e.client[i] == sslRequest()) continue;
        SCOPED_TRACE(e.name + ", packet " + std::to_string(i) + " = " + toHex(bad));
        Exchange corrupted = e;
        corrupted.client[i] = bad;
        FakeCredentials store;
        ServerHandshake m = machine(store, e.transport);
        ServerHandshake::Step step = m.start();
        for (const std::string& packet : corrupted.client) {
          if (step.action != Action::kRead && step.action != Action::kStartTls) break;
          step = m.onPacket(packet);
        }
        EXPECT_NE(step.action, Action::kDone);
      }
    }
  }
}

// The driver the session runs, over a scripted transport that fails at the Nth operation (a
// write of one packet, a flush or a read): every failure ends the login without success, and
// without a failure the exchange completes.
struct ScriptedTransport {
  explicit ScriptedTransport(std::vector<std::string> in, size_t failAt = SIZE_MAX)
      : incoming(std::move(in)), failAt(failAt) {}

  std::vector<std::string> incoming;
  size_t failAt;
  size_t ops = 0;
  size_t nextRead = 0;
  std::vector<std::string> written;

  bool op() { return ops++ != failAt; }
  bool write(const std::string& p) {
    if (!op()) return false;
    written.push_back(p);
    return true;
  }
  bool flush() { return op(); }
  bool startTls() { return op(); }
  std::optional<std::string> read() {
    if (!op() || nextRead == incoming.size()) return std::nullopt;
    return incoming[nextRead++];
  }
};

enum class Login { kOk, kRefused, kLost };

Login drive(ServerHandshake& m, ScriptedTransport& io) {
  ServerHandshake::Step step = m.start();
  while (true) {
    for (const std::string& p : step.packets) {
      if (!io.write(p)) return Login::kLost;
    }
    if (step.action == Action::kStartTls) {
      if (!io.flush() || !io.startTls()) return Login::kLost;
    } else if (step.action != Action::kRead) {
      break;
    } else if (!io.flush()) {
      return Login::kLost;
    }
    auto packet = io.read();
    if (!packet) return Login::kLost;
    step = m.onPacket(*packet);
  }
  if (step.action == Action::kFailed) return io.flush() ? Login::kRefused : Login::kLost;
  return io.flush() ? Login::kOk : Login::kLost;
}

TEST(ServerHandshakeTest, TransportErrorAtEveryReadAndWrite) {
  for (const Exchange& e : exchanges()) {
    SCOPED_TRACE(e.name);
    FakeCredentials store;
    ServerHandshake clean = machine(store, e.transport);
    ScriptedTransport ok{e.client};
    Login expected = e.outcome == Action::kDone ? Login::kOk : Login::kRefused;
    ASSERT_EQ(drive(clean, ok), expected);
    for (size_t failAt = 0; failAt < ok.ops; ++failAt) {
      SCOPED_TRACE(failAt);
      ServerHandshake m = machine(store, e.transport);
      ScriptedTransport io{e.client, failAt};
      EXPECT_EQ(drive(m, io), Login::kLost);
      EXPECT_LE(io.written.size(), ok.written.size());
    }
    // The client goes away early: at each read.
    for (size_t cut = 0; cut < e.client.size(); ++cut) {
      ServerHandshake m = machine(store, e.transport);
      ScriptedTransport io{std::vector<std::string>(e.client.begin(), e.client.begin() + cut)};
      EXPECT_EQ(drive(m, io), Login::kLost);
    }
  }
}

}  // namespace
}  // namespace shardproxy::protocol
