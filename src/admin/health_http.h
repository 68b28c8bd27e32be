// The HTTP listener a container platform probes: GET /livez and /readyz, with every data
// source's state in the body (and /metrics later, as one more route). The answer to a request
// is a pure function of the route table (HttpRoutes::respond) and of a HealthSnapshot
// (livez(), readyz()); HttpListener is only the Beast accept/read/write loop around it, bounded
// in request size, read time and concurrent connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"

namespace shardproxy::backend {
class GateSet;
}

namespace shardproxy::config {
struct Topology;
}

namespace shardproxy::admin {

struct HttpResponse {
  unsigned status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
  // A HEAD request: the headers say the body's length, but the body is not sent.
  bool head = false;
};

// A route answers GET (and HEAD) on one path.
using RouteHandler = std::function<HttpResponse()>;

class HttpRoutes {
 public:
  void add(std::string path, RouteHandler handler);
  // The answer to `method target`: the route's for GET and HEAD (a query string is ignored),
  // 405 for another method on a known path, 404 for an unknown path.
  HttpResponse respond(std::string_view method, std::string_view target) const;

 private:
  std::map<std::string, RouteHandler, std::less<>> routes_;
};

// Whether the instance should get new clients: not before the configuration and metadata are
// loaded and the MySQL listener accepts, and not from the moment shutdown begins.
enum class Readiness : uint8_t { kStarting, kReady, kStopping };

struct DataSourceHealth {
  std::string database;  // logical
  std::string name;
  bool down = false;
  std::string error;  // why it is down
  int open = 0;       // connections open or opening over every worker
  int idle = 0;
  int max = 0;  // maxPoolSize
  int waiting = 0;
};

struct HealthSnapshot {
  Readiness readiness = Readiness::kStarting;
  int workers = 0;
  // Worker loops that have not turned for longer than kStalledAfter (a statement blocking its
  // worker, a deadlock): the process no longer serves the sessions on them.
  int stalledWorkers = 0;
  std::vector<DataSourceHealth> dataSources;
};

// Far beyond any pause of a healthy loop (its maintenance timer turns every second), even under
// a sanitizer on a loaded machine: a liveness failure restarts the process.
constexpr auto kStalledAfter = std::chrono::seconds(30);

// The state (the health checks' verdict) and pool figures of every data source of `topology`
// (the configuration in force: a reload leaves the gates of data sources it dropped or changed
// behind for the sessions still on them), read from the gates the workers' pools share
// (executor::SharedPools). Databases in name order, data sources in file order.
std::vector<DataSourceHealth> dataSourceHealth(const config::Topology& topology,
                                               backend::GateSet& pools);

// 200 while every worker loop turns (including while starting and stopping), else 503.
HttpResponse livez(const HealthSnapshot& s);
// 200 when ready, else 503. A data source that is down does not make the instance unready: the
// others still serve, and the body says which one is down.
HttpResponse readyz(const HealthSnapshot& s);
// The body of both: one line of JSON.
std::string healthJson(const HealthSnapshot& s, std::string_view status);

struct HttpListenerLimits {
  size_t maxConnections = 16;  // more are closed at once
  size_t maxRequestBytes = 8192;
  std::chrono::milliseconds readTimeout{5000};  // for one request, from the first byte wanted
  std::chrono::milliseconds writeTimeout{5000};
};

class HttpListener {
 public:
  // Binds and listens on host:port (throws on failure, as the MySQL listener does); serves once
  // start() is called and `io` runs. host is an IP address; port 0 takes a free one.
  HttpListener(asio::io_context& io, const std::string& host, uint16_t port, HttpRoutes routes,
               HttpListenerLimits limits = {});
  ~HttpListener();
  void start();
  // Stops accepting; connections being served end with their request.
  void close();
  uint16_t port() const { return port_; }

  // The routes, limits and connection count, shared with the connections being served.
  struct Shared;

 private:
  awaitable<void> acceptLoop();

  std::shared_ptr<Shared> shared_;  // what connections use, kept alive by them
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

}  // namespace shardproxy::admin
