#include "admin/health_http.h"

#include <gtest/gtest.h>

#include <string>

#include "backend/gate_set.h"
#include "config/topology.h"

namespace shardproxy::admin {
namespace {

HttpResponse jsonResponse(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpRoutes twoRoutes(int& calls) {
  HttpRoutes routes;
  routes.add("/livez", [&calls] {
    ++calls;
    return jsonResponse(200, "{\"status\":\"live\"}");
  });
  routes.add("/readyz", [] { return jsonResponse(503, "{\"x\":1}"); });
  return routes;
}

TEST(HttpRoutesTest, GetAndHeadReachTheRoute) {
  int calls = 0;
  HttpRoutes routes = twoRoutes(calls);
  HttpResponse r = routes.respond("GET", "/livez");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "{\"status\":\"live\"}");
  EXPECT_FALSE(r.head);
  // HEAD keeps the body (its length goes in the headers) but says it is not sent.
  r = routes.respond("HEAD", "/livez");
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.head);
  EXPECT_EQ(r.body.size(), 17u);
  EXPECT_EQ(calls, 2);
  // The route's own status passes through; a query string is ignored.
  EXPECT_EQ(routes.respond("GET", "/readyz?verbose=1").status, 503u);
}

TEST(HttpRoutesTest, UnknownPathIs404) {
  int calls = 0;
  HttpRoutes routes = twoRoutes(calls);
  for (const char* target : {"/", "/live", "/livez/", "/LIVEZ", "/metrics", "livez", "", "*"}) {
    HttpResponse r = routes.respond("GET", target);
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(r.body, "{\"error\":\"not found\"}");
  }
  EXPECT_TRUE(routes.respond("HEAD", "/nope").head);
  // An unknown path is 404 whatever the method.
  EXPECT_EQ(routes.respond("POST", "/nope").status, 404u);
  EXPECT_EQ(calls, 0);
}

TEST(HttpRoutesTest, OtherMethodsAre405) {
  int calls = 0;
  HttpRoutes routes = twoRoutes(calls);
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "TRACE"}) {
    HttpResponse r = routes.respond(method, "/readyz");
    EXPECT_EQ(r.status, 405u) << method;
    EXPECT_EQ(r.allow, "GET, HEAD");
    EXPECT_FALSE(r.head);
  }
  EXPECT_EQ(calls, 0);
}

HealthSnapshot snapshot(Readiness readiness) {
  HealthSnapshot s;
  s.readiness = readiness;
  s.workers = 2;
  DataSourceHealth up{"sharding_db", "ds_0", false, "", 3, 2, 50, 0};
  DataSourceHealth down{"sharding_db", "ds_1", true, "Can't connect to \"server\"\n", 0, 0, 10, 1};
  s.dataSources = {up, down};
  return s;
}

TEST(HealthTest, ReadyzFollowsReadinessNotDataSources) {
  HttpResponse r = readyz(snapshot(Readiness::kReady));
  // ds_1 is down, and the instance is still ready: the other data sources serve.
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body,
            "{\"status\":\"ready\",\"workers\":2,\"stalledWorkers\":0,\"dataSources\":["
            "{\"database\":\"sharding_db\",\"name\":\"ds_0\",\"state\":\"up\",\"open\":3,"
            "\"idle\":2,\"max\":50,\"waiting\":0},"
            "{\"database\":\"sharding_db\",\"name\":\"ds_1\",\"state\":\"down\","
            "\"error\":\"Can't connect to \\\"server\\\"\\n\",\"open\":0,\"idle\":0,\"max\":10,"
            "\"waiting\":1}]}");
  r = readyz(snapshot(Readiness::kStarting));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body.rfind("{\"status\":\"starting\",", 0), 0u) << r.body;
  r = readyz(snapshot(Readiness::kStopping));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body.rfind("{\"status\":\"stopping\",", 0), 0u) << r.body;
}

TEST(HealthTest, LivezFailsOnlyOnAStalledLoop) {
  for (Readiness readiness : {Readiness::kStarting, Readiness::kReady, Readiness::kStopping}) {
    HttpResponse r = livez(snapshot(readiness));
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body.rfind("{\"status\":\"live\",", 0), 0u) << r.body;
  }
  HealthSnapshot s = snapshot(Readiness::kReady);
  s.stalledWorkers = 1;
  HttpResponse r = livez(s);
  EXPECT_EQ(r.status, 503u);
  EXPECT_NE(r.body.find("\"status\":\"stalled\",\"workers\":2,\"stalledWorkers\":1"),
            std::string::npos)
      << r.body;
}

TEST(HealthTest, EmptyTopology) {
  HealthSnapshot s;
  s.readiness = Readiness::kReady;
  EXPECT_EQ(readyz(s).body,
            "{\"status\":\"ready\",\"workers\":0,\"stalledWorkers\":0,\"dataSources\":[]}");
}

TEST(HealthTest, DataSourceHealthReadsTheGatesOfTheTopology) {
  config::Topology topology;
  auto dataSource = [](std::string name, int max) {
    config::DataSource ds;
    ds.name = std::move(name);
    ds.maxPoolSize = max;
    ds.minPoolSize = 0;
    ds.identity = ds.name + "@127.0.0.1";
    return ds;
  };
  // Data sources in file order (z before a), databases by name.
  topology.databases["db2"].dataSources = {dataSource("ds_z", 4), dataSource("ds_a", 5)};
  topology.databases["db1"].dataSources = {dataSource("ds_b", 7)};
  backend::GateSet pools(topology);
  const auto& db2 = topology.databases["db2"].dataSources;
  ASSERT_TRUE(pools.get("db2", db2[0]).tryTake());
  ASSERT_TRUE(pools.get("db2", db2[0]).tryTake());
  pools.get("db1", topology.databases["db1"].dataSources[0])
      .markDown(makeError(2003, "Can't connect to server on '127.0.0.1' (111)"));
  // A gate the configuration in force no longer lists (left by a reload) is not reported.
  pools.get("db0", dataSource("ds_gone", 3));

  std::vector<DataSourceHealth> got = dataSourceHealth(topology, pools);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].database, "db1");
  EXPECT_EQ(got[0].name, "ds_b");
  EXPECT_TRUE(got[0].down);
  EXPECT_EQ(got[0].error, "Can't connect to server on '127.0.0.1' (111)");
  EXPECT_EQ(got[0].max, 7);
  EXPECT_EQ(got[1].database, "db2");
  EXPECT_EQ(got[1].name, "ds_z");
  EXPECT_FALSE(got[1].down);
  EXPECT_EQ(got[1].open, 2);
  EXPECT_EQ(got[1].max, 4);
  EXPECT_EQ(got[1].waiting, 0);
  EXPECT_EQ(got[2].name, "ds_a");
  EXPECT_EQ(got[2].open, 0);
  pools.get("db1", topology.databases["db1"].dataSources[0]).markUp();
  EXPECT_FALSE(dataSourceHealth(topology, pools)[0].down);
}

}  // namespace
}  // namespace shardproxy::admin
