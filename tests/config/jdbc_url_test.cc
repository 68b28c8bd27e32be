#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/topology.h"

namespace shardproxy::config {
namespace {

using ::testing::HasSubstr;

DataSource parse(const std::string& url) {
  DataSource ds;
  parseJdbcUrl(url, ds);
  return ds;
}

std::string errorOf(const std::string& url) {
  try {
    parse(url);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JdbcUrl, ShardingSphereDocsUrl) {
  DataSource ds = parse("jdbc:mysql://127.0.0.1:3306/demo_ds_0?serverTimezone=UTC&useSSL=false");
  EXPECT_EQ(ds.host, "127.0.0.1");
  EXPECT_EQ(ds.port, 3306);
  EXPECT_EQ(ds.database, "demo_ds_0");
  ASSERT_EQ(ds.urlParams.size(), 2u);
  EXPECT_EQ(ds.urlParams.at("serverTimezone"), "UTC");
  EXPECT_EQ(ds.urlParams.at("useSSL"), "false");
}

TEST(JdbcUrl, MariadbSchemeAndCaseInsensitivePrefix) {
  DataSource ds = parse("jdbc:mariadb://db.example.com:3310/shop");
  EXPECT_EQ(ds.host, "db.example.com");
  EXPECT_EQ(ds.port, 3310);
  EXPECT_EQ(ds.database, "shop");
  EXPECT_TRUE(ds.urlParams.empty());

  DataSource upper = parse("JDBC:MySQL://h/d");
  EXPECT_EQ(upper.host, "h");
  EXPECT_EQ(upper.database, "d");
}

TEST(JdbcUrl, DefaultPortAndEmptyDatabase) {
  for (const char* url :
       {"jdbc:mysql://backend", "jdbc:mysql://backend/", "jdbc:mysql://backend?useSSL=false",
        "jdbc:mysql://backend/?useSSL=false"}) {
    SCOPED_TRACE(url);
    DataSource ds = parse(url);
    EXPECT_EQ(ds.host, "backend");
    EXPECT_EQ(ds.port, 3306);
    EXPECT_EQ(ds.database, "");
  }
  EXPECT_EQ(parse("jdbc:mysql://backend:3307?a=b").port, 3307);
  EXPECT_EQ(parse("jdbc:mysql://backend:3307?a=b").urlParams.at("a"), "b");
}

TEST(JdbcUrl, MissingHostMeansLocalhostAsInConnectorJ) {
  DataSource ds = parse("jdbc:mysql:///orders");
  EXPECT_EQ(ds.host, "localhost");
  EXPECT_EQ(ds.port, 3306);
  EXPECT_EQ(ds.database, "orders");
}

TEST(JdbcUrl, Ipv6Literal) {
  DataSource ds = parse("jdbc:mysql://[::1]:3307/db");
  EXPECT_EQ(ds.host, "::1");
  EXPECT_EQ(ds.port, 3307);
  EXPECT_EQ(ds.database, "db");

  DataSource noPort = parse("jdbc:mysql://[2001:db8::10]/db");
  EXPECT_EQ(noPort.host, "2001:db8::10");
  EXPECT_EQ(noPort.port, 3306);

  DataSource mapped = parse("jdbc:mariadb://[::ffff:10.0.0.1]:3306");
  EXPECT_EQ(mapped.host, "::ffff:10.0.0.1");
  EXPECT_EQ(mapped.database, "");
}

TEST(JdbcUrl, ParamsAreUrlDecoded) {
  DataSource ds =
      parse("jdbc:mysql://h/db?connectionAttributes=app%3Ashop&note=a+b%20c&amp=%26&flag&&empty=");
  EXPECT_EQ(ds.urlParams.at("connectionAttributes"), "app:shop");
  EXPECT_EQ(ds.urlParams.at("note"), "a b c");  // '+' is a space, as java.net.URLDecoder reads it
  EXPECT_EQ(ds.urlParams.at("amp"), "&");
  EXPECT_EQ(ds.urlParams.at("flag"), "");
  EXPECT_EQ(ds.urlParams.at("empty"), "");
  EXPECT_EQ(ds.urlParams.size(), 5u);
}

TEST(JdbcUrl, LastDuplicateParamWins) {
  EXPECT_EQ(parse("jdbc:mysql://h/db?a=1&a=2").urlParams.at("a"), "2");
}

TEST(JdbcUrl, DatabaseIsDecodedButKeepsPlus) {
  DataSource ds = parse("jdbc:mysql://h/my%2Ddb+x");
  EXPECT_EQ(ds.database, "my-db+x");
}

TEST(JdbcUrl, UserInfoSetsCredentials) {
  DataSource ds;
  ds.username = "before";
  parseJdbcUrl("jdbc:mysql://app:p%40ss@h:3306/db", ds);
  EXPECT_EQ(ds.username, "app");
  EXPECT_EQ(ds.password, "p@ss");
  EXPECT_EQ(ds.host, "h");

  DataSource untouched;
  untouched.username = "kept";
  parseJdbcUrl("jdbc:mysql://h/db", untouched);
  EXPECT_EQ(untouched.username, "kept");
}

TEST(JdbcUrl, ReplacesPreviousParams) {
  DataSource ds;
  ds.urlParams["stale"] = "1";
  parseJdbcUrl("jdbc:mysql://h/db?fresh=1", ds);
  EXPECT_EQ(ds.urlParams.count("stale"), 0u);
  EXPECT_EQ(ds.urlParams.count("fresh"), 1u);
}

// TLS as each driver reads its URL.
TEST(JdbcUrl, TlsModes) {
  struct Case {
    const char* url;
    SslMode mode;
  };
  const Case cases[] = {
      {"jdbc:mysql://h/db", SslMode::kDisabled},  // plain unless asked (Connector/J prefers TLS)
      {"jdbc:mysql://h/db?useSSL=false", SslMode::kDisabled},
      {"jdbc:mysql://h/db?useSSL=true", SslMode::kPreferred},
      {"jdbc:mysql://h/db?useSSL=true&requireSSL=true", SslMode::kRequired},
      {"jdbc:mysql://h/db?useSSL=true&verifyServerCertificate=true", SslMode::kVerifyCa},
      {"jdbc:mysql://h/db?useSSL=yes&requireSSL=TRUE&verifyServerCertificate=false",
       SslMode::kRequired},
      {"jdbc:mysql://h/db?sslMode=REQUIRED", SslMode::kRequired},
      {"jdbc:mysql://h/db?sslMode=VERIFY_CA", SslMode::kVerifyCa},
      {"jdbc:mysql://h/db?sslmode=verify_identity", SslMode::kVerifyIdentity},
      {"jdbc:mysql://h/db?sslMode=PREFERRED&useSSL=false", SslMode::kPreferred},  // sslMode wins
      {"jdbc:mysql://h/db?sslMode=DISABLED&useSSL=true", SslMode::kDisabled},
      // MariaDB Connector/J: useSsl verifies unless told otherwise; its own sslMode names.
      {"jdbc:mariadb://h/db?useSsl=true", SslMode::kVerifyIdentity},
      {"jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=true", SslMode::kVerifyCa},
      {"jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true", SslMode::kRequired},
      {"jdbc:mariadb://h/db?sslMode=trust", SslMode::kRequired},
      {"jdbc:mariadb://h/db?sslMode=verify-ca", SslMode::kVerifyCa},
      {"jdbc:mariadb://h/db?sslMode=verify-full", SslMode::kVerifyIdentity},
      {"jdbc:mariadb://h/db?sslMode=disable", SslMode::kDisabled},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sslModeName(parse(c.url).sslMode), std::string(sslModeName(c.mode))) << c.url;
  }
}

TEST(JdbcUrl, TlsCa) {
  EXPECT_EQ(parse("jdbc:mysql://h/db").sslCa, "");
  EXPECT_EQ(parse("jdbc:mysql://h/db?sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=file:/etc/"
                  "ca.pem")
                .sslCa,
            "/etc/ca.pem");
  EXPECT_EQ(
      parse("jdbc:mysql://h/db?trustCertificateKeyStoreUrl=file%3A%2F%2F%2Fetc%2Fca.pem").sslCa,
      "/etc/ca.pem");
  EXPECT_EQ(parse("jdbc:mariadb://h/db?useSsl=true&serverSslCert=/certs/ca.pem").sslCa,
            "/certs/ca.pem");
}

TEST(JdbcUrl, TlsErrors) {
  EXPECT_THAT(errorOf("jdbc:mysql://h/db?sslMode=ALWAYS"),
              HasSubstr("sslMode 'ALWAYS' is not one of DISABLED, PREFERRED, REQUIRED, "
                        "VERIFY_CA, VERIFY_IDENTITY"));
  EXPECT_THAT(errorOf("jdbc:mysql://h/db?useSSL=maybe"),
              HasSubstr("useSSL must be true or false, not 'maybe'"));
  EXPECT_THAT(errorOf("jdbc:mysql://h/db?useSSL=true&trustCertificateKeyStoreUrl=ca.jks"),
              HasSubstr("trustCertificateKeyStoreUrl must name a PEM file by its absolute path, "
                        "not 'ca.jks'"));
  EXPECT_THAT(errorOf("jdbc:mariadb://h/db?serverSslCert=classpath:ca.pem"),
              HasSubstr("serverSslCert must name a PEM file"));
}

TEST(JdbcUrl, Errors) {
  struct Case {
    const char* url;
    const char* message;
  };
  const Case cases[] = {
      {"", "expected jdbc:mysql://host:port/db"},
      {"mysql://h/db", "expected jdbc:mysql://host:port/db"},
      {"jdbc:postgresql://h/db", "only MySQL and MariaDB backends are supported"},
      {"jdbc:mysql:loadbalance://h1,h2/db", "only the single-host form"},
      {"jdbc:mysql:replication://h1,h2/db", "only the single-host form"},
      {"jdbc:mysql+srv://h/db", "only the single-host form"},
      {"jdbc:mysql://h1,h2/db", "multiple hosts are not supported"},
      {"jdbc:mysql://h:0/db", "port '0' is not a number between 1 and 65535"},
      {"jdbc:mysql://h:65536/db", "port '65536' is not a number between 1 and 65535"},
      {"jdbc:mysql://h:abc/db", "port 'abc' is not a number between 1 and 65535"},
      {"jdbc:mysql://h:/db", "port '' is not a number between 1 and 65535"},
      {"jdbc:mysql://h:-1/db", "port '-1' is not a number"},
      {"jdbc:mysql://[::1/db", "missing ']' after IPv6 address"},
      {"jdbc:mysql://[::1]x/db", "unexpected text after IPv6 address"},
      {"jdbc:mysql://[host]/db", "'[host]' is not an IPv6 address"},
      {"jdbc:mysql://::1:3306/db", "an IPv6 address must be written in brackets"},
      {"jdbc:mysql://h o/db", "invalid host name 'h o'"},
      {"jdbc:mysql://h/db?a=%zz", "bad percent-escape in '%zz'"},
      {"jdbc:mysql://h/db?a=%4", "bad percent-escape"},
      {"jdbc:mysql://h/db?=1", "parameter '=1' has no name"},
      {"jdbc:mysql://h/a%2Fb", "database name 'a/b' may not contain '/'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    std::string error = errorOf(c.url);
    EXPECT_THAT(error, HasSubstr(std::string("invalid JDBC URL '") + c.url + "'"));
    EXPECT_THAT(error, HasSubstr(c.message));
  }
}

}  // namespace
TEST(JdbcUrl, TimeoutsInEachDriversTermsAndDefaults) {
  DataSource mysql = parse("jdbc:mysql://h/d");
  EXPECT_EQ(mysql.connectTimeoutMs, 0);  // Connector/J: no limit
  EXPECT_EQ(mysql.socketTimeoutMs, 0);
  DataSource mariadb = parse("jdbc:mariadb://h/d");
  EXPECT_EQ(mariadb.connectTimeoutMs, 30000);  // MariaDB Connector/J's default
  EXPECT_EQ(mariadb.socketTimeoutMs, 0);

  DataSource given = parse("jdbc:mysql://h/d?connectTimeout=1500&SOCKETTIMEOUT=20000");
  EXPECT_EQ(given.connectTimeoutMs, 1500);
  EXPECT_EQ(given.socketTimeoutMs, 20000);

  EXPECT_THAT(errorOf("jdbc:mysql://h/d?connectTimeout=2s"),
              HasSubstr("connectTimeout must be a number of milliseconds, not '2s'"));
  EXPECT_THAT(errorOf("jdbc:mysql://h/d?socketTimeout=-1"), HasSubstr("socketTimeout"));
  EXPECT_THAT(errorOf("jdbc:mysql://h/d?socketTimeout="), HasSubstr("socketTimeout"));
}

}  // namespace shardproxy::config
