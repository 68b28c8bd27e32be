#include "admin/health_http.h"

// clang-format off
#include "common/asio.h"  // before Beast: it includes Asio, which needs <utility> first
// clang-format on

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "backend/gate_set.h"
#include "common/json_text.h"
#include "common/log.h"
#include "config/topology.h"

namespace shardproxy::admin {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

HttpResponse jsonResponse(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

void HttpRoutes::add(std::string path, RouteHandler handler) {
  routes_[std::move(path)] = std::move(handler);
}

HttpResponse HttpRoutes::respond(std::string_view method, std::string_view target) const {
  std::string_view path = target.substr(0, target.find('?'));
  bool head = method == "HEAD";
  HttpResponse r;
  auto it = routes_.find(path);
  if (it == routes_.end()) {
    r = jsonResponse(404, "{\"error\":\"not found\"}");
  } else if (method != "GET" && !head) {
    r = jsonResponse(405, "{\"error\":\"method not allowed\"}");
    r.allow = "GET, HEAD";
  } else {
    r = it->second();
  }
  // A response to HEAD never has a body, whatever its status (RFC 9110 9.3.2).
  r.head = head;
  return r;
}

std::string healthJson(const HealthSnapshot& s, std::string_view status) {
  std::string out = "{\"status\":";
  appendJsonString(out, status);
  out += ",\"workers\":";
  out += std::to_string(s.workers);
  out += ",\"stalledWorkers\":";
  out += std::to_string(s.stalledWorkers);
  out += ",\"dataSources\":[";
  bool first = true;
  for (const DataSourceHealth& d : s.dataSources) {
    if (!first) out += ',';
    first = false;
    out += "{\"database\":";
    appendJsonString(out, d.database);
    out += ",\"name\":";
    appendJsonString(out, d.name);
    out += ",\"state\":";
    out += d.down ? "\"down\"" : "\"up\"";
    if (d.down && !d.error.empty()) {
      out += ",\"error\":";
      appendJsonString(out, d.error);
    }
    out += ",\"open\":" + std::to_string(d.open);
    out += ",\"idle\":" + std::to_string(d.idle);
    out += ",\"max\":" + std::to_string(d.max);
    out += ",\"waiting\":" + std::to_string(d.waiting);
    out += '}';
  }
  out += "]}";
  return out;
}

std::vector<DataSourceHealth> dataSourceHealth(const config::Topology& topology,
                                               backend::GateSet& pools) {
  std::vector<DataSourceHealth> out;
  for (const auto& [database, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      const backend::DataSourceGate& g = pools.get(database, ds);
      DataSourceHealth d;
      d.database = database;
      d.name = ds.name;
      d.down = g.down();
      if (d.down) d.error = g.downStatus().message();
      d.open = g.open();
      d.idle = g.idle();
      d.max = g.maxOpen();
      d.waiting = g.waiting();
      out.push_back(std::move(d));
    }
  }
  return out;
}

HttpResponse livez(const HealthSnapshot& s) {
  if (s.stalledWorkers > 0) return jsonResponse(503, healthJson(s, "stalled"));
  return jsonResponse(200, healthJson(s, "live"));
}

HttpResponse readyz(const HealthSnapshot& s) {
  switch (s.readiness) {
    case Readiness::kReady:
      return jsonResponse(200, healthJson(s, "ready"));
    case Readiness::kStarting:
      return jsonResponse(503, healthJson(s, "starting"));
    case Readiness::kStopping:
      break;
  }
  return jsonResponse(503, healthJson(s, "stopping"));
}

// ---- the listener ----------------------------------------------------------------------------

struct HttpListener::Shared {
  HttpRoutes routes;
  HttpListenerLimits limits;
  size_t active = 0;  // connections being served; touched only on the listener's thread
};

namespace {

http::response<http::string_body> toBeast(HttpResponse r, unsigned version, bool keepAlive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "shardproxy");
  res.set(http::field::content_type, r.contentType);
  // A probe must see the state now, never a cached answer.
  res.set(http::field::cache_control, "no-store");
  if (!r.allow.empty()) res.set(http::field::allow, r.allow);
  res.keep_alive(keepAlive);
  res.content_length(r.body.size());
  if (!r.head) res.body() = std::move(r.body);
  return res;
}

awaitable<void> serveConnection(std::shared_ptr<HttpListener::Shared> shared,
                                asio::ip::tcp::socket socket) {
  struct Active {
    HttpListener::Shared& s;
    ~Active() { --s.active; }
  } active{*shared};
  const HttpListenerLimits& limits = shared->limits;
  beast::tcp_stream stream(std::move(socket));
  // The buffer's cap bounds what a client can make us hold, whatever the parser's limits.
  beast::flat_buffer buffer(limits.maxRequestBytes);
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<uint32_t>(limits.maxRequestBytes));
    parser.body_limit(0);  // probes send no body
    stream.expires_after(limits.readTimeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      break;
    }
    bool keepAlive = !ec && parser.get().keep_alive();
    HttpResponse r;
    unsigned version = 11;
    if (ec) {
      // Too large, malformed, or with a body: one answer, then the connection ends (what is
      // left of the request cannot be told from a next one).
      if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        r = jsonResponse(431, "{\"error\":\"request header too large\"}");
      } else if (ec == http::error::body_limit) {
        r = jsonResponse(413, "{\"error\":\"request body not allowed\"}");
      } else {
        r = jsonResponse(400, "{\"error\":\"bad request\"}");
      }
    } else {
      const auto& req = parser.get();
      version = req.version();
      auto method = req.method_string();
      auto target = req.target();
      r = shared->routes.respond(std::string_view(method.data(), method.size()),
                                 std::string_view(target.data(), target.size()));
    }
    auto res = toBeast(std::move(r), version, keepAlive);
    stream.expires_after(limits.writeTimeout);
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !keepAlive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace

HttpListener::HttpListener(asio::io_context& io, const std::string& host, uint16_t port,
                           HttpRoutes routes, HttpListenerLimits limits)
    : shared_(std::make_shared<Shared>(Shared{std::move(routes), limits})), acceptor_(io) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("proxy-metrics-host: not an IP address: " + host);
  asio::ip::tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("health HTTP listener on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

HttpListener::~HttpListener() { close(); }

void HttpListener::start() {
  asio::co_spawn(acceptor_.get_executor(), acceptLoop(), asio::detached);
}

void HttpListener::close() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

awaitable<void> HttpListener::acceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      spdlog::warn("health HTTP accept failed: {}", ec.message());
      if (ec == asio::error::no_descriptors) {
        asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(100));
        co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      continue;
    }
    if (shared_->active >= shared_->limits.maxConnections) {
      // Full: this one is closed unanswered, which a probe counts as a failure, as it should
      // when something holds every slot.
      spdlog::debug("health HTTP: {} connections open, one more refused", shared_->active);
      socket.close(ec);
      continue;
    }
    ++shared_->active;
    asio::co_spawn(acceptor_.get_executor(), serveConnection(shared_, std::move(socket)),
                   asio::detached);
  }
}

}  // namespace shardproxy::admin
