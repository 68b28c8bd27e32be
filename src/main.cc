// shardproxy command line: loads the configuration, then serves MySQL clients until SIGINT or
// SIGTERM.
#include <mysql.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/instance.h"
#include "common/log.h"
#include "common/version.h"
#include "config/topology.h"
#include "executor/startup_probe.h"
#include "frontend/server.h"
#include "parser/ast.h"
#include "parser/parser.h"
#include "router/sharding_rule.h"

namespace {

constexpr const char* kUsage = R"(Usage: shardproxy --conf DIR [options]
       shardproxy parse [--json] [SQL]

A MySQL-protocol sharding proxy configured with ShardingSphere 5.x YAML files
(global.yaml or server.yaml, and database-*.yaml or config-*.yaml).

Options:
  --conf DIR          configuration directory (required)
  --port N            TCP port (default: props proxy-default-port, else 3307)
  --bind ADDR         address to listen on (default 0.0.0.0)
  --socket PATH       also listen on a Unix socket
  --socket-mode MODE  the socket file's permissions, octal (default 0777)
  --data-dir DIR      directory for the proxy's own data (default ./data)
  --workers N         worker threads (default: props proxy-frontend-executor-size, else cores)
  --worker-id ID      this instance's worker id, 0..1023, or a StatefulSet pod name such as
                      shardproxy-2 (its ordinal is taken); default: the environment variable
                      SHARDPROXY_WORKER_ID, else none (standalone: worker 0, not claimed).
                      SNOWFLAKE keys and connection ids carry it; it is claimed on every
                      backend at start, and a second instance with the same id is refused
  --log-level LEVEL   trace, debug, info, warn, error (default info)
  --log-format FMT    text (default) or json: one JSON object per line on stderr
  --metrics-port N    HTTP port of /livez and /readyz (default: props proxy-metrics-port;
                      0: none)
  --check-config      validate the configuration, print a summary and exit
  --version           print the version and exit
  --help              print this help and exit

shardproxy parse [--json] [SQL] prints the statement kind and AST of SQL, or of each line of
standard input when no SQL is given; it exits 1 if a statement does not parse. With --json, each
statement gives one line of JSON (JSON Lines on standard input): the whole AST as a nested tree
with byte offsets, or {"error": {"code", "sqlstate", "message"}}.
)";

int usageError(const std::string& message) {
  std::fprintf(stderr, "shardproxy: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

bool parseInt(const std::string& s, long min, long max, long& out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (errno || end == s.c_str() || *end != '\0' || v < min || v > max) return false;
  out = v;
  return true;
}

bool parseOctalMode(const std::string& s, unsigned& out) {
  if (s.empty() || s.find_first_not_of("01234567") != std::string::npos || s.size() > 4) {
    return false;
  }
  unsigned long v = std::strtoul(s.c_str(), nullptr, 8);
  if (v > 0777) return false;
  out = static_cast<unsigned>(v);
  return true;
}

// `shardproxy parse [--json]`: the parser's view of statements, for debugging and corpus runs.
int parseCommand(int argc, char** argv) {
  using namespace shardproxy;
  int first = 2;
  bool json = argc > first && std::string_view(argv[first]) == "--json";
  if (json) ++first;
  std::vector<std::string> statements;
  if (argc > first) {
    std::string sql;
    for (int i = first; i < argc; ++i) {
      if (i > first) sql += ' ';
      sql += argv[i];
    }
    statements.push_back(sql);
  } else {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty()) statements.push_back(line);
    }
  }
  int rc = 0;
  for (const auto& sql : statements) {
    auto ast = parser::ast::parseAst(sql);
    if (!ast) {
      const Status& status = ast.status();
      if (json) {
        std::printf("{\"error\":{\"code\":%u,\"sqlstate\":%s,\"message\":%s}}\n", status.code(),
                    parser::ast::toJsonString(status.sqlState()).c_str(),
                    parser::ast::toJsonString(status.message()).c_str());
      } else {
        std::printf("ERROR %u (%s): %s\n", status.code(), status.sqlState().c_str(),
                    status.message().c_str());
      }
      rc = 1;
      continue;
    }
    if (json) {
      std::printf("%s\n", parser::ast::toJson(*ast).c_str());
    } else {
      std::printf("%s %s\n", parser::ast::toString(ast->kind), parser::ast::describe(*ast).c_str());
    }
  }
  return rc;
}

// Every client connection and every backend connection is a file descriptor: the soft limit
// (often 1024) is raised to the hard limit, what the process may have.
void raiseOpenFilesLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rlim_t was = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    spdlog::warn("cannot raise the open-files limit from {}: {}", was, std::strerror(errno));
    return;
  }
  spdlog::info("open-files limit raised from {} to {}", was, rl.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shardproxy;
  if (argc > 1 && std::string(argv[1]) == "parse") return parseCommand(argc, argv);
  std::string confDir, bind = "0.0.0.0", socketPath, dataDir = "data", logLevel = "info";
  unsigned socketMode = 0777;
  long port = -1, workers = -1, metricsPort = -1;
  std::optional<std::string> workerIdText;
  LogFormat logFormat = LogFormat::kText;
  bool checkOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("shardproxy %s\n", kVersion);
      return 0;
    } else if (arg == "--check-config") {
      checkOnly = true;
    } else if (arg == "--conf") {
      if (!value(confDir)) return usageError("--conf needs a directory");
    } else if (arg == "--port") {
      if (!value(v) || !parseInt(v, 0, 65535, port)) return usageError("--port needs 0..65535");
    } else if (arg == "--bind") {
      if (!value(bind)) return usageError("--bind needs an address");
    } else if (arg == "--socket") {
      if (!value(socketPath)) return usageError("--socket needs a path");
    } else if (arg == "--socket-mode") {
      if (!value(v) || !parseOctalMode(v, socketMode)) {
        return usageError("--socket-mode needs octal permissions such as 0660");
      }
    } else if (arg == "--data-dir") {
      if (!value(dataDir)) return usageError("--data-dir needs a directory");
    } else if (arg == "--workers") {
      if (!value(v) || !parseInt(v, 1, 1024, workers)) return usageError("--workers needs 1..1024");
    } else if (arg == "--worker-id") {
      if (!value(v)) return usageError("--worker-id needs an id");
      workerIdText = v;
    } else if (arg == "--log-level") {
      if (!value(logLevel)) return usageError("--log-level needs a level");
    } else if (arg == "--log-format") {
      auto format = value(v) ? parseLogFormat(v) : std::nullopt;
      if (!format) return usageError("--log-format needs text or json");
      logFormat = *format;
    } else if (arg == "--metrics-port") {
      if (!value(v) || !parseInt(v, 0, 65535, metricsPort)) {
        return usageError("--metrics-port needs 0..65535");
      }
    } else {
      return usageError("unknown option " + arg);
    }
  }
  if (confDir.empty()) return usageError("--conf is required");
  // The flag wins over the environment (a StatefulSet feeds the pod name through the latter).
  std::optional<int> workerId;
  if (!workerIdText) {
    if (const char* env = std::getenv("SHARDPROXY_WORKER_ID"); env && *env) workerIdText = env;
  }
  if (workerIdText) {
    auto parsed = parseWorkerId(*workerIdText);
    if (!parsed) return usageError(parsed.status().message());
    workerId = *parsed;
  }

  initLogging(logLevel, logFormat);
  raiseOpenFilesLimit();
  // What stops the start goes to the log as well when the log is JSON, so that a collector
  // sees it as one of its lines; as text it stays the plain line it has always been.
  auto configError = [logFormat](const std::string& message) {
    if (logFormat == LogFormat::kJson) {
      spdlog::critical("configuration error: {}", message);
    } else {
      std::fprintf(stderr, "configuration error: %s\n", message.c_str());
    }
    return 1;
  };
  std::shared_ptr<const config::Topology> topology;
  try {
    topology = config::loadTopology(confDir);
  } catch (const config::ConfigError& e) {
    return configError(e.what());
  } catch (const std::exception& e) {
    return configError(e.what());
  }
  for (const auto& w : topology->warnings) spdlog::warn("{}", w);
  // The rules are built (algorithms created, data nodes expanded, bindings checked) before
  // anything listens: a proxy that routed with half its rules would put rows in wrong places.
  auto rules = router::buildRules(*topology, workerId);
  if (!rules) return configError(rules.status().message());
  if (checkOnly) {
    std::fputs(config::describe(*topology).c_str(), stdout);
    std::printf("configuration OK\n");
    return 0;
  }

  frontend::ServerOptions options;
  options.bindAddress = bind;
  options.port = static_cast<uint16_t>(port >= 0 ? port : topology->props.proxyDefaultPort);
  options.unixSocket = socketPath;
  options.unixSocketMode = socketMode;
  options.dataDir = dataDir;
  options.confDir = confDir;
  options.workerId = workerId;
  options.metricsHost = topology->props.proxyMetricsHost;
  options.metricsPort =
      static_cast<uint16_t>(metricsPort >= 0 ? metricsPort : topology->props.proxyMetricsPort);
  options.workers =
      static_cast<int>(workers > 0 ? workers : topology->props.proxyFrontendExecutorSize);

  if (mysql_library_init(0, nullptr, nullptr) != 0) {
    spdlog::critical("cannot initialise the MySQL client library");
    return 1;
  }
  std::string fallback = "5.7.22";
  auto it = topology->props.other.find("proxy-mysql-default-version");
  if (it != topology->props.other.end()) fallback = it->second;
  // Every server at once, with one short timeout: a server that is down or drops packets
  // costs start-up this once, and is asked nothing more until it answers.
  auto reachable = executor::Reachability::probe(*topology, std::chrono::seconds(2));
  for (const std::string& server : reachable.silent()) {
    spdlog::warn(
        "server {} does not answer: its data sources fail until it does, and their "
        "metadata is read then (their accounts' grants are not checked)",
        server);
  }
  std::string version =
      executor::probeBackendVersion(*topology, reachable, fallback) + "-shardproxy-" + kVersion;
  // Executable comments are judged by the version clients are told.
  parser::setServerVersionId(parser::versionIdOf(version));
  executor::checkBackendGrants(*topology, reachable);
  int rc = 0;
  try {
    frontend::Server server(topology, std::move(*rules), options, version, std::move(reachable));
    server.run();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    rc = 1;
  }
  mysql_library_end();
  return rc;
}
