// The Connector/C options each sslMode of a data source sets, read back from the handle (the
// connections themselves are tested against a MariaDB with TLS in
// tests/integration/test_tls.py).
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "backend/connection.h"

namespace shardproxy::backend {
namespace {

struct Options {
  bool tls = false;         // MYSQL_OPT_SSL_ENFORCE: TLS asked for
  bool verifyHost = false;  // MYSQL_OPT_SSL_VERIFY_SERVER_CERT
  std::string ca;           // MYSQL_OPT_SSL_CA
  std::string caPath;       // MYSQL_OPT_SSL_CAPATH
};

Options optionsFor(config::SslMode mode, std::string ca = "") {
  config::DataSource ds;
  ds.sslMode = mode;
  ds.sslCa = std::move(ca);
  std::unique_ptr<MYSQL, decltype(&mysql_close)> m(mysql_init(nullptr), mysql_close);
  setTlsOptions(m.get(), ds);
  Options o;
  my_bool flag = 0;
  mysql_get_optionv(m.get(), MYSQL_OPT_SSL_ENFORCE, &flag);
  o.tls = flag;
  flag = 0;
  mysql_get_optionv(m.get(), MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &flag);
  o.verifyHost = flag;
  char* text = nullptr;
  mysql_get_optionv(m.get(), MYSQL_OPT_SSL_CA, &text);
  if (text) o.ca = text;
  text = nullptr;
  mysql_get_optionv(m.get(), MYSQL_OPT_SSL_CAPATH, &text);
  if (text) o.caPath = text;
  return o;
}

TEST(TlsOptionsTest, EachModeSetsWhatItNeeds) {
  using config::SslMode;
  Options plain = optionsFor(SslMode::kDisabled);
  EXPECT_FALSE(plain.tls);
  EXPECT_FALSE(plain.verifyHost);
  EXPECT_EQ(plain.ca, "");

  for (SslMode mode : {SslMode::kPreferred, SslMode::kRequired}) {
    Options o = optionsFor(mode);
    EXPECT_TRUE(o.tls);
    EXPECT_FALSE(o.verifyHost);
    EXPECT_EQ(o.ca, "");  // no CA: the chain is not checked
    EXPECT_EQ(o.caPath, "");
  }

  Options ca = optionsFor(SslMode::kVerifyCa, "/etc/ca.pem");
  EXPECT_TRUE(ca.tls);
  EXPECT_FALSE(ca.verifyHost);
  EXPECT_EQ(ca.ca, "/etc/ca.pem");

  Options system = optionsFor(SslMode::kVerifyCa);
  EXPECT_EQ(system.ca, "");
  EXPECT_EQ(system.caPath, X509_get_default_cert_dir());  // the system's CAs

  Options identity = optionsFor(SslMode::kVerifyIdentity, "/etc/ca.pem");
  EXPECT_TRUE(identity.tls);
  EXPECT_TRUE(identity.verifyHost);
  EXPECT_EQ(identity.ca, "/etc/ca.pem");
}

TEST(TlsOptionsTest, CheckTlsRefusesAPlainConnectionWhereTlsIsRequired) {
  using config::SslMode;
  std::unique_ptr<MYSQL, decltype(&mysql_close)> m(mysql_init(nullptr), mysql_close);
  config::DataSource ds;
  ds.name = "ds_0";
  ds.host = "10.0.0.1";
  ds.port = 3306;
  // A handle that never connected has no cipher, as one the server did not encrypt.
  for (SslMode mode : {SslMode::kDisabled, SslMode::kPreferred}) {
    ds.sslMode = mode;
    EXPECT_TRUE(checkTls(m.get(), ds).isOk());
  }
  for (SslMode mode : {SslMode::kRequired, SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
    ds.sslMode = mode;
    Status s = checkTls(m.get(), ds);
    EXPECT_EQ(s.code(), er::kCrSslConnectionError);
    EXPECT_EQ(s.message(), std::string("data source ds_0: sslMode=") + config::sslModeName(mode) +
                               " but the server at 10.0.0.1:3306 does not offer TLS");
  }
}

}  // namespace
}  // namespace shardproxy::backend
