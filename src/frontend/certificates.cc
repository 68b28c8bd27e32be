#include "frontend/certificates.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "config/topology.h"

namespace shardproxy::frontend {

namespace {

namespace fs = std::filesystem;

constexpr int kKeyBits = 2048;
constexpr long kValidDays = 3650;  // as MySQL's auto-generated certificates
// A certificate this close to its end is replaced at start-up rather than left to expire while
// the proxy runs.
constexpr long kRenewBeforeDays = 30;
constexpr const char* kCaName = "shardproxy_Auto_Generated_CA_Certificate";
constexpr const char* kServerName = "shardproxy_Auto_Generated_Server_Certificate";

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using CertPtr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using FilePtr = std::unique_ptr<FILE, FileCloser>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

bool isIpAddress(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// nullptr when the file is missing or holds no PEM object of the kind.
CertPtr readCertificate(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "r"));
  if (!f) return nullptr;
  return CertPtr(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

KeyPtr readKey(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "r"));
  if (!f) return nullptr;
  return KeyPtr(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
}

// Written to a temporary file first and renamed over `path`, so a crash never leaves half a
// file; keys are created readable by the owner only.
template <class Write>
void writePem(const std::string& path, bool secret, Write write) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) fail("cannot write " + tmp + ": " + std::strerror(errno));
  FilePtr f(::fdopen(fd, "w"));
  if (!f) {
    ::close(fd);
    fail("cannot write " + tmp);
  }
  bool ok = write(f.get()) == 1;
  ok = std::fflush(f.get()) == 0 && ok;
  ok = ::fsync(fd) == 0 && ok;
  f.reset();
  if (!ok) {
    ::unlink(tmp.c_str());
    fail("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
}

void writeCertificate(const std::string& path, X509* cert) {
  writePem(path, false, [cert](FILE* f) { return PEM_write_X509(f, cert); });
}

void writeKey(const std::string& path, EVP_PKEY* key) {
  writePem(path, true, [key](FILE* f) {
    return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

KeyPtr newKey() {
  KeyPtr key(EVP_RSA_gen(kKeyBits));
  if (!key) fail("cannot generate an RSA key");
  return key;
}

// Valid from now (less an hour, for clocks a little behind) for kValidDays, with a random serial.
CertPtr newCertificate(EVP_PKEY* subjectKey, const char* commonName) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) fail("cannot create a certificate");
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    fail("cannot create a certificate serial number");
  }
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidDays, 0, nullptr)) {
    fail("cannot set a certificate's validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(commonName), -1, -1,
                                 0) != 1 ||
      X509_set_pubkey(cert.get(), subjectKey) != 1) {
    fail("cannot set a certificate's subject");
  }
  return cert;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("cannot create the certificate extension " + value);
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) fail("cannot add the certificate extension " + value);
}

void sign(X509* cert, EVP_PKEY* issuerKey) {
  if (X509_sign(cert, issuerKey, EVP_sha256()) <= 0) fail("cannot sign a certificate");
}

std::string subjectAltName(const std::vector<std::string>& names) {
  std::string san;
  for (const std::string& name : names) {
    if (!san.empty()) san += ',';
    san += (isIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  return san;
}

// Valid now and for at least kRenewBeforeDays more.
bool current(X509* cert) {
  time_t soon = std::time(nullptr) + kRenewBeforeDays * 24 * 3600;
  return X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
         X509_cmp_time(X509_get0_notAfter(cert), &soon) > 0;
}

bool coversName(X509* cert, const std::string& name) {
  if (isIpAddress(name)) return X509_check_ip_asc(cert, name.c_str(), 0) == 1;
  return X509_check_host(cert, name.data(), name.size(), 0, nullptr) == 1;
}

}  // namespace

CertificateFiles certificateFiles(const std::string& dir) {
  fs::path d(dir);
  return {(d / "ca.pem").string(), (d / "ca-key.pem").string(), (d / "server-cert.pem").string(),
          (d / "server-key.pem").string()};
}

const std::vector<std::string>& defaultHostNames() {
  static const std::vector<std::string> kNames = {"localhost", "127.0.0.1", "::1"};
  return kNames;
}

CertificateReport ensureCertificates(const std::string& dir,
                                     const std::vector<std::string>& hostNames) {
  CertificateFiles files = certificateFiles(dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir + ": " + ec.message());

  std::vector<std::string> names = defaultHostNames();
  for (const std::string& name : hostNames) {
    if (!config::isCertificateHostName(name))
      fail("not a host name or IP address for a certificate: '" + name + "'");
    names.push_back(name);
  }

  CertificateReport report;
  CertPtr ca = readCertificate(files.ca);
  KeyPtr caKey = readKey(files.caKey);
  if (!ca || !caKey || X509_check_private_key(ca.get(), caKey.get()) != 1 || !current(ca.get())) {
    caKey = newKey();
    ca = newCertificate(caKey.get(), kCaName);
    X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
    addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), caKey.get());
    // The key first: a crash between the two leaves a key that matches no certificate, which
    // the next start replaces, never a certificate whose key is lost.
    writeKey(files.caKey, caKey.get());
    writeCertificate(files.ca, ca.get());
    report.newCa = true;
  }

  CertPtr cert = readCertificate(files.cert);
  KeyPtr key = readKey(files.key);
  bool reuse = !report.newCa && cert && key && X509_check_private_key(cert.get(), key.get()) == 1 &&
               X509_verify(cert.get(), caKey.get()) == 1 && current(cert.get());
  for (size_t i = 0; reuse && i < names.size(); ++i) reuse = coversName(cert.get(), names[i]);
  if (!reuse) {
    key = newKey();
    cert = newCertificate(key.get(), kServerName);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get()));
    addExtension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    addExtension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    addExtension(cert.get(), ca.get(), NID_subject_key_identifier, "hash");
    addExtension(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    addExtension(cert.get(), ca.get(), NID_subject_alt_name, subjectAltName(names));
    sign(cert.get(), caKey.get());
    writeKey(files.key, key.get());
    writeCertificate(files.cert, cert.get());
    report.newServerCertificate = true;
  }
  return report;
}

}  // namespace shardproxy::frontend
