// The generated CA and server certificate: what they are valid for, that a client trusting
// ca.pem accepts the server certificate (and one trusting another CA does not), and when the
// files of an earlier start are kept or replaced.
#include "frontend/certificates.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "frontend/temp_dir.h"

namespace shardproxy::frontend {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert load(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "r"), std::fclose);
  if (!f) return nullptr;
  return Cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Verifies `cert` against the single trusted certificate `ca`, as a client given --ssl-ca.
bool verifies(X509* cert, X509* ca) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_add_cert(store.get(), ca);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  return X509_verify_cert(ctx.get()) == 1;
}

bool coversHost(X509* cert, const std::string& name) {
  return X509_check_host(cert, name.data(), name.size(), 0, nullptr) == 1;
}

bool coversIp(X509* cert, const std::string& ip) {
  return X509_check_ip_asc(cert, ip.c_str(), 0) == 1;
}

TEST(CertificatesTest, GeneratesACaAndAServerCertificateItSigns) {
  TempDir dir;
  CertificateReport report = ensureCertificates(dir.path() + "/nested", {});
  EXPECT_TRUE(report.newCa);
  EXPECT_TRUE(report.newServerCertificate);
  CertificateFiles files = certificateFiles(dir.path() + "/nested");
  Cert ca = load(files.ca);
  Cert server = load(files.cert);
  ASSERT_TRUE(ca && server);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_TRUE(verifies(server.get(), ca.get()));
  EXPECT_TRUE(coversHost(server.get(), "localhost"));
  EXPECT_TRUE(coversIp(server.get(), "127.0.0.1"));
  EXPECT_TRUE(coversIp(server.get(), "::1"));
  EXPECT_FALSE(coversHost(server.get(), "example.com"));
  EXPECT_FALSE(coversIp(server.get(), "10.0.0.1"));
  // Keys are the owner's alone.
  for (const std::string& key : {files.key, files.caKey}) {
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
}

TEST(CertificatesTest, ConfiguredNamesAreInTheCertificate) {
  TempDir dir;
  ensureCertificates(dir.path(), {"db.example.com", "*.proxy.internal", "10.1.2.3", "fd00::7"});
  Cert server = load(certificateFiles(dir.path()).cert);
  ASSERT_TRUE(server);
  EXPECT_TRUE(coversHost(server.get(), "db.example.com"));
  EXPECT_TRUE(coversHost(server.get(), "a.proxy.internal"));
  EXPECT_TRUE(coversIp(server.get(), "10.1.2.3"));
  EXPECT_TRUE(coversIp(server.get(), "fd00::7"));
  EXPECT_TRUE(coversIp(server.get(), "127.0.0.1"));
  EXPECT_FALSE(coversHost(server.get(), "other.example.com"));
}

TEST(CertificatesTest, AnotherCaDoesNotVerifyIt) {
  TempDir one, two;
  ensureCertificates(one.path(), {});
  ensureCertificates(two.path(), {});
  Cert server = load(certificateFiles(one.path()).cert);
  Cert otherCa = load(certificateFiles(two.path()).ca);
  ASSERT_TRUE(server && otherCa);
  EXPECT_FALSE(verifies(server.get(), otherCa.get()));
}

TEST(CertificatesTest, AnEarlierStartsFilesAreReused) {
  TempDir dir;
  ensureCertificates(dir.path(), {"db.example.com"});
  CertificateFiles files = certificateFiles(dir.path());
  std::string ca = contents(files.ca), cert = contents(files.cert), key = contents(files.key);
  CertificateReport again = ensureCertificates(dir.path(), {"db.example.com"});
  EXPECT_FALSE(again.newCa);
  EXPECT_FALSE(again.newServerCertificate);
  EXPECT_EQ(contents(files.ca), ca);
  EXPECT_EQ(contents(files.cert), cert);
  EXPECT_EQ(contents(files.key), key);
  // Fewer names are still covered.
  EXPECT_FALSE(ensureCertificates(dir.path(), {}).newServerCertificate);
}

TEST(CertificatesTest, ANewNameIssuesTheServerCertificateAgainWithTheSameCa) {
  TempDir dir;
  ensureCertificates(dir.path(), {});
  CertificateFiles files = certificateFiles(dir.path());
  std::string ca = contents(files.ca), key = contents(files.key);
  CertificateReport report = ensureCertificates(dir.path(), {"db.example.com"});
  EXPECT_FALSE(report.newCa);
  EXPECT_TRUE(report.newServerCertificate);
  EXPECT_EQ(contents(files.ca), ca);  // clients keep trusting the proxy
  EXPECT_NE(contents(files.key), key);
  Cert server = load(files.cert);
  Cert caCert = load(files.ca);
  ASSERT_TRUE(server && caCert);
  EXPECT_TRUE(coversHost(server.get(), "db.example.com"));
  EXPECT_TRUE(verifies(server.get(), caCert.get()));
}

TEST(CertificatesTest, DamagedFilesAreReplaced) {
  TempDir dir;
  ensureCertificates(dir.path(), {});
  CertificateFiles files = certificateFiles(dir.path());
  std::string ca = contents(files.ca);

  // A server certificate that is not PEM, or belongs to another key: issued again.
  std::ofstream(files.cert, std::ios::trunc) << "not a certificate";
  EXPECT_TRUE(ensureCertificates(dir.path(), {}).newServerCertificate);
  TempDir other;
  ensureCertificates(other.path(), {});
  fs::copy_file(certificateFiles(other.path()).key, files.key,
                fs::copy_options::overwrite_existing);
  CertificateReport mismatched = ensureCertificates(dir.path(), {});
  EXPECT_FALSE(mismatched.newCa);
  EXPECT_TRUE(mismatched.newServerCertificate);
  EXPECT_EQ(contents(files.ca), ca);

  // A server certificate signed by another CA: issued again by this one.
  fs::copy_file(certificateFiles(other.path()).cert, files.cert,
                fs::copy_options::overwrite_existing);
  fs::copy_file(certificateFiles(other.path()).key, files.key,
                fs::copy_options::overwrite_existing);
  EXPECT_TRUE(ensureCertificates(dir.path(), {}).newServerCertificate);
  Cert server = load(files.cert);
  Cert caCert = load(files.ca);
  EXPECT_TRUE(verifies(server.get(), caCert.get()));

  // A CA key that does not match the CA: a new CA, and a new server certificate with it.
  fs::remove(files.caKey);
  CertificateReport fresh = ensureCertificates(dir.path(), {});
  EXPECT_TRUE(fresh.newCa);
  EXPECT_TRUE(fresh.newServerCertificate);
  EXPECT_NE(contents(files.ca), ca);
}

TEST(CertificatesTest, RefusesNamesThatAreNotHostNames) {
  TempDir dir;
  for (const char* bad : {"", "a,b", "host name", "*", "a.*.b", "-x.example.com", "x..y"}) {
    EXPECT_THROW(ensureCertificates(dir.path(), {bad}), std::runtime_error) << bad;
  }
}

TEST(CertificatesTest, ADirectoryThatCannotBeMadeIsAnError) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::ofstream(dir.path() + "/file") << "x";
  EXPECT_THROW(ensureCertificates(dir.path() + "/file/data", {}), std::runtime_error);
}

}  // namespace
}  // namespace shardproxy::frontend
