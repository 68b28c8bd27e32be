// The front end's TLS certificate when none is configured: a CA and a server certificate it
// signs, generated in the data directory on first start (as MySQL does in its datadir) and
// reused after, so that clients can keep verifying the proxy with the same ca.pem.
#pragma once

#include <string>
#include <vector>

namespace shardproxy::frontend {

// The files in the data directory (MySQL's names).
struct CertificateFiles {
  std::string ca;     // ca.pem: what clients verify the proxy with
  std::string caKey;  // ca-key.pem
  std::string cert;   // server-cert.pem
  std::string key;    // server-key.pem
};

CertificateFiles certificateFiles(const std::string& dir);

// Names every server certificate is valid for, before the configured ones.
const std::vector<std::string>& defaultHostNames();

// Makes sure `dir` holds a CA and a server certificate it signs that is valid now, for 30 more
// days at least, and for defaultHostNames() and `hostNames` (each config::isCertificateHostName()).
// Files that already do are kept. The server certificate is issued again (with a new key) when it
// is missing, unreadable, expiring, not signed by the CA or lacks a name; the CA is made again, and
// with it the server certificate, when it is missing, unreadable or expiring. Keys are written
// readable by their owner only. Throws std::runtime_error naming the file on any failure.
struct CertificateReport {  // what was written, for the log
  bool newCa = false;
  bool newServerCertificate = false;
};
CertificateReport ensureCertificates(const std::string& dir,
                                     const std::vector<std::string>& hostNames);

}  // namespace shardproxy::frontend
