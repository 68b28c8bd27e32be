#include "frontend/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <set>
#include <stdexcept>
#include <vector>

#include "common/log.h"
#include "frontend/certificates.h"

namespace shardproxy::frontend {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

struct CtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// TLS 1.3 suites are set apart from the older ciphers in OpenSSL; their names are the IANA ones.
bool isTls13Suite(const std::string& name) {
  static const std::set<std::string> kSuites = {
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"};
  return kSuites.count(name) > 0;
}

// proxy-frontend-ssl-cipher takes OpenSSL names, OpenSSL cipher-string keywords and modifiers
// (as MySQL's ssl_cipher), and the IANA names Java uses (as ShardingSphere's prop), which
// OpenSSL knows under other names. Each list applies to its protocol versions; a version none
// of whose ciphers is named keeps OpenSSL's defaults.
void setCiphers(SSL_CTX* ctx, const std::vector<std::string>& ciphers) {
  std::unique_ptr<SSL_CTX, CtxDeleter> scratch(SSL_CTX_new(TLS_server_method()));
  if (!scratch) fail("cannot create a TLS context");
  std::vector<std::string> older, tls13;
  for (const std::string& name : ciphers) {
    if (isTls13Suite(name)) {
      tls13.push_back(name);
      continue;
    }
    if (std::strchr("!-+@", name[0]) != nullptr) {  // a modifier of the list so far
      older.push_back(name);
      continue;
    }
    std::string openssl = name;
    const char* mapped = OPENSSL_cipher_name(name.c_str());
    if (mapped != nullptr && std::strcmp(mapped, "(NONE)") != 0) openssl = mapped;
    if (SSL_CTX_set_cipher_list(scratch.get(), openssl.c_str()) != 1) {
      ERR_clear_error();
      fail("props.proxy-frontend-ssl-cipher: unknown cipher '" + name + "'");
    }
    older.push_back(openssl);
  }
  if (!older.empty() && SSL_CTX_set_cipher_list(ctx, joined(older, ":").c_str()) != 1) {
    ERR_clear_error();
    fail("props.proxy-frontend-ssl-cipher: no usable cipher in '" + joined(older, ",") + "'");
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(ctx, joined(tls13, ":").c_str()) != 1) {
    ERR_clear_error();
    fail("props.proxy-frontend-ssl-cipher: no usable TLS 1.3 suite in '" + joined(tls13, ",") +
         "'");
  }
}

// The lowest and highest listed version bound the range; a version between them that is not
// listed is switched off on its own.
void setVersions(SSL_CTX* ctx, const std::vector<std::string>& versions) {
  std::set<int> enabled;
  for (const std::string& v : versions) {
    int number = tlsVersionNumber(v);
    if (number == 0) fail("props.proxy-frontend-ssl-version: unknown TLS version '" + v + "'");
    enabled.insert(number);
  }
  if (enabled.empty()) fail("props.proxy-frontend-ssl-version: no TLS version");
  if (SSL_CTX_set_min_proto_version(ctx, *enabled.begin()) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, *enabled.rbegin()) != 1) {
    fail("props.proxy-frontend-ssl-version: cannot set the versions " + joined(versions, ","));
  }
  const std::pair<int, uint64_t> kOff[] = {{TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
                                           {TLS1_2_VERSION, SSL_OP_NO_TLSv1_2}};
  for (auto [version, option] : kOff) {
    if (version > *enabled.begin() && version < *enabled.rbegin() && enabled.count(version) == 0) {
      SSL_CTX_set_options(ctx, option);
    }
  }
}

}  // namespace

int tlsVersionNumber(const std::string& name) {
  if (name == "TLSv1") return TLS1_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  return 0;
}

std::unique_ptr<asio::ssl::context> makeTlsContext(const config::Props& props,
                                                   const std::string& dataDir) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
  setVersions(ctx, props.proxyFrontendSslVersions);
  setCiphers(ctx, props.proxyFrontendSslCiphers);

  std::string cert = props.proxyFrontendSslCert;
  std::string key = props.proxyFrontendSslKey;
  std::string origin = "configured";
  if (cert.empty()) {
    CertificateReport report = ensureCertificates(dataDir, props.proxyFrontendSslHostNames);
    CertificateFiles files = certificateFiles(dataDir);
    cert = files.cert;
    key = files.key;
    if (report.newCa) {
      origin = "generated with a new CA; clients verify the proxy with " + files.ca;
    } else if (report.newServerCertificate) {
      origin = "generated again, signed by " + files.ca;
    } else {
      origin = "generated earlier, signed by " + files.ca;
    }
  }
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert, ec);
  if (ec) fail("cannot load the TLS certificate " + cert + ": " + ec.message());
  context->use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    fail("cannot load the TLS key " + key + " for the certificate " + cert + ": " +
         (ec ? ec.message() : std::string("key values mismatch")));
  }
  // Sessions resume only with the context that made them.
  static const unsigned char kSessionContext[] = "shardproxy";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  spdlog::info("TLS for clients: certificate {} ({}), versions {}, ciphers {}{}", cert, origin,
               joined(props.proxyFrontendSslVersions, ","),
               props.proxyFrontendSslCiphers.empty() ? std::string("OpenSSL's defaults")
                                                     : joined(props.proxyFrontendSslCiphers, ","),
               props.proxyFrontendSslRequired ? ", required over TCP" : "");
  return context;
}

}  // namespace shardproxy::frontend
