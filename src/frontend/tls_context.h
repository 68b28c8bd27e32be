// The TLS context of client connections, from the props: the configured certificate or the one
// generated in the data directory, the protocol versions and the ciphers.
#pragma once

#include <memory>
#include <string>

#include "common/asio_ssl.h"
#include "config/topology.h"

namespace shardproxy::frontend {

// OpenSSL's protocol version for "TLSv1" ... "TLSv1.3"; 0 for any other name.
int tlsVersionNumber(const std::string& name);

// A server context for `props` (proxy-frontend-ssl-*), with the certificate from
// proxy-frontend-ssl-cert / -key or else generated in `dataDir` (ensureCertificates()).
// Throws std::runtime_error saying which prop or file is wrong.
std::unique_ptr<asio::ssl::context> makeTlsContext(const config::Props& props,
                                                   const std::string& dataDir);

}  // namespace shardproxy::frontend
