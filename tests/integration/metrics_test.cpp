// GET /metrics on both daemons, read by a real Prometheus parser (python3-prometheus-client's,
// the one Prometheus' own Python tooling uses) after a known workload: the counters say what
// was done, labels stay bounded whatever clients send, and the option turns the route off.

#include "tests/support/api_fixture.h"
#include "tests/support/closed_port.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

// One sample of a scrape: name, labels, value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Scrapes GET /metrics through `client` and parses it with prometheus_client's parser, which
// refuses anything that is not valid exposition text.
std::vector<Sample> scrape(HttpClient& client) {
  auto r = client.get("/metrics");
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  const std::string dir = make_temp_dir("glance-metrics");
  std::ofstream(dir + "/scrape.txt") << r.body;
  const std::string out = run_command(
      "/usr/bin/python3 -c 'import json, sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "for family in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "    for s in family.samples:\n"
      "        print(json.dumps({\"name\": s.name, \"labels\": s.labels, \"value\": s.value}))' " +
      dir + "/scrape.txt 2>&1");
  std::vector<Sample> samples;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      ADD_FAILURE() << "the parser refused the scrape: " << out;
      return {};
    }
    samples.push_back({j["name"], j["labels"].get<std::map<std::string, std::string>>(),
                       j["value"].get<double>()});
  }
  return samples;
}

// The value of the sample `name` with exactly `labels`, or -1 when there is none.
double value(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels) return s.value;
  return -1;
}

size_t series(const std::vector<Sample>& samples, const std::string& name) {
  size_t n = 0;
  for (const auto& s : samples) n += s.name == name;
  return n;
}

std::string random_uuid(std::mt19937& rng) {
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    id += hex[rng() % 16];
  }
  return id;
}

TEST(Metrics, CountersSayWhatBothDaemonsDid) {
  ApiEnvironment env;
  auto api = env.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = api.post("/v1/images", std::string(1000 + i, 'x'),
                      with(kRawBare, {{"x-image-meta-name", "m" + std::to_string(i)}}));
    ASSERT_EQ(r.status, 201u) << r.body;
    ids.push_back(r.json()["image"]["id"]);
  }
  ASSERT_EQ(api.get("/v1/images/" + ids[0]).body.size(), 1000u);
  ASSERT_EQ(api.get("/v1/images/" + ids[1]).body.size(), 1001u);
  ASSERT_EQ(api.del("/v1/images/" + ids[2]).status, 200u);
  std::mt19937 rng(3);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(api.get("/v1/images/" + random_uuid(rng)).status, 404u);
  ASSERT_EQ(api.get("/v2/images").status, 200u);
  ASSERT_EQ(api.get("/").status, 300u);  // answered by a filter: no route

  using L = std::map<std::string, std::string>;
  // A request is counted once its answer is written, so the client may see the answer a
  // moment before the count; scrape until the last one is in.
  std::vector<Sample> s;
  ASSERT_TRUE(eventually([&] {
    s = scrape(api);
    return value(s, "glance_http_requests_total",
                 L{{"method", "GET"}, {"route", "none"}, {"code", "300"}}) == 1 &&
           value(s, "glance_http_requests_in_flight") == 1;  // the scrape itself
  }));
  EXPECT_EQ(value(s, "glance_http_requests_total",
                  L{{"method", "POST"}, {"route", "/v1/images"}, {"code", "201"}}),
            3);
  EXPECT_EQ(value(s, "glance_http_requests_total",
                  L{{"method", "GET"}, {"route", "/v1/images/{id}"}, {"code", "200"}}),
            2);
  EXPECT_EQ(value(s, "glance_http_requests_total",
                  L{{"method", "GET"}, {"route", "/v1/images/{id}"}, {"code", "404"}}),
            4);
  EXPECT_EQ(value(s, "glance_http_requests_total",
                  L{{"method", "GET"}, {"route", "/v2/images"}, {"code", "200"}}),
            1);
  EXPECT_EQ(value(s, "glance_http_requests_total",
                  L{{"method", "GET"}, {"route", "none"}, {"code", "300"}}),
            1);
  EXPECT_EQ(value(s, "glance_http_request_duration_seconds_count",
                  L{{"method", "POST"}, {"route", "/v1/images"}}),
            3);
  EXPECT_EQ(value(s, "glance_http_request_duration_seconds_bucket",
                  L{{"method", "POST"}, {"route", "/v1/images"}, {"le", "+Inf"}}),
            3);
  // The two downloads' bodies and the four 404s' error bodies.
  EXPECT_GE(value(s, "glance_http_response_body_bytes_total",
                  L{{"method", "GET"}, {"route", "/v1/images/{id}"}}),
            2001);
  EXPECT_EQ(value(s, "glance_api_uploads_in_progress"), 0);
  EXPECT_EQ(value(s, "glance_api_copies_in_progress"), 0);
  EXPECT_GE(value(s, "glance_http_open_connections"), 1);
  EXPECT_GT(value(s, "process_open_fds"), 3);
  EXPECT_GT(value(s, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(value(s, "process_cpu_seconds_total"), 0);
  EXPECT_GT(value(s, "process_start_time_seconds"), 1.7e9);
  // No label carries an image id.
  for (const auto& sample : s)
    for (const auto& [name, label] : sample.labels)
      for (const auto& id : ids) EXPECT_EQ(label.find(id), std::string::npos) << sample.name;

  // The store did three adds, two gets and one delete, all on file; the 404s never reached it.
  auto store_ops = [&](const std::string& op, const std::string& outcome) {
    return value(s, "glance_store_operations_total",
                 L{{"store", "file"}, {"operation", op}, {"outcome", outcome}});
  };
  EXPECT_EQ(store_ops("add", "ok"), 3);
  EXPECT_EQ(store_ops("add", "error"), 0);
  EXPECT_EQ(store_ops("add", "aborted"), 0);
  EXPECT_EQ(store_ops("get", "ok"), 2);
  EXPECT_EQ(store_ops("get", "not_found"), 0);
  EXPECT_EQ(store_ops("delete", "ok"), 1);
  EXPECT_EQ(value(s, "glance_store_operation_duration_seconds_count",
                  L{{"store", "file"}, {"operation", "add"}}),
            3);
  EXPECT_EQ(value(s, "glance_store_written_bytes_total", L{{"store", "file"}}), 3003);
  EXPECT_EQ(value(s, "glance_store_read_bytes_total", L{{"store", "file"}}), 2001);

  // The registry client's calls: three creates, the four lookups the registry answered 404.
  auto client_calls = [&](const std::string& method, const std::string& outcome) {
    return value(s, "glance_registry_client_requests_total",
                 L{{"method", method}, {"outcome", outcome}});
  };
  EXPECT_EQ(client_calls("POST", "ok"), 3);
  EXPECT_GE(client_calls("GET", "client_error"), 4);
  EXPECT_EQ(client_calls("GET", "unavailable"), 0);
  EXPECT_EQ(value(s, "glance_registry_client_retries_total"), 0);
  auto sum = [](const std::vector<Sample>& samples, const std::string& name) {
    double total = 0;
    for (const auto& sample : samples)
      if (sample.name == name &&
          (!sample.labels.count("route") || sample.labels.at("route") != "/metrics"))
        total += sample.value;
    return total;
  };
  EXPECT_EQ(sum(s, "glance_registry_client_request_duration_seconds_count"),
            sum(s, "glance_registry_client_requests_total"));

  // The registry counted the api's calls: three creates (the registry answers 200), and as
  // many requests in all as the api's client says it sent (the scrapes aside).
  HttpClient registry(env.registry().daemon().port());
  // The api's periodic orphan pass calls the registry too: compare two scrapes close together.
  std::vector<Sample> r;
  double client_total = 0;
  EXPECT_TRUE(eventually([&] {
    client_total = sum(scrape(api), "glance_registry_client_requests_total");
    r = scrape(registry);
    return value(r, "glance_http_requests_total",
                 L{{"method", "POST"}, {"route", "/images"}, {"code", "200"}}) == 3 &&
           sum(r, "glance_http_requests_total") == client_total;
  })) << client_total
      << " " << sum(r, "glance_http_requests_total");
  EXPECT_GT(value(r, "process_open_fds"), 3);

  // Its database pool: every create, state change and delete was a write that succeeded,
  // every lookup a read; nothing retried, nothing running now.
  auto db_ops = [&](const std::string& kind, const std::string& outcome) {
    return value(r, "glance_registry_db_operations_total", L{{"kind", kind}, {"outcome", outcome}});
  };
  EXPECT_GE(db_ops("write", "ok"), 7);  // 3 creates, 3 activations, 1 delete at least
  EXPECT_GE(db_ops("read", "ok"), 3);
  EXPECT_EQ(db_ops("write", "unavailable"), 0);
  EXPECT_EQ(db_ops("read", "unavailable"), 0);
  EXPECT_EQ(value(r, "glance_registry_db_operation_duration_seconds_count", L{{"kind", "write"}}),
            db_ops("write", "ok") + db_ops("write", "error"));
  // Every unit of work but the start-up schema check, which runs on the main thread, waited
  // for a pool thread.
  EXPECT_EQ(value(r, "glance_registry_db_queue_wait_seconds_count"),
            db_ops("write", "ok") + db_ops("write", "error") + db_ops("read", "ok") +
                db_ops("read", "error") - 1);
  EXPECT_EQ(value(r, "glance_registry_db_retries_total", L{{"reason", "lost_connection"}}), 0);
  EXPECT_EQ(value(r, "glance_registry_db_connections_in_use"), 0);
  EXPECT_GT(value(r, "glance_registry_db_pool_size"), 0);
}

TEST(Metrics, StoreSizeLookupsOfLocationsAreCounted) {
  SourceServer source;
  source.put("/one.raw", std::string(1234, 'a'));
  source.put("/two.raw", std::string(99, 'b'));
  ApiEnvironment env(false, "external_source_allowed_hosts = 127.0.0.1\n", "stores = file, http\n");
  auto api = env.client();
  const HeaderList formats = {{"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"}};
  auto at = [&](const std::string& location) {
    return api.post("/v1/images", "", with(formats, {{"x-image-meta-location", location}}));
  };
  // Two sizes found, one location missing, one answering 500, one whose server is not there.
  auto one = at(source.url("/one.raw"));
  ASSERT_EQ(one.status, 201u) << one.body;
  EXPECT_EQ(one.json()["image"]["size"], 1234);
  ASSERT_EQ(at(source.url("/two.raw")).status, 201u);
  EXPECT_EQ(at(source.url("/nothing")).status, 404u);
  EXPECT_EQ(at(source.url("/status/500")).status, 400u);
  EXPECT_EQ(at("http://127.0.0.1:" + std::to_string(closed_port()) + "/gone.raw").status, 400u);
  // A declared size is checked against the location's: the lookup succeeds, the sizes differ.
  auto declared = api.post("/v1/images", "",
                           with(formats, {{"x-image-meta-location", source.url("/one.raw")},
                                          {"x-image-meta-size", "999"}}));
  EXPECT_EQ(declared.status, 409u) << declared.body;
  // A download opens the location: a get, not a size.
  ASSERT_EQ(api.get("/v1/images/" + one.json()["image"]["id"].get<std::string>()).body.size(),
            1234u);

  using L = std::map<std::string, std::string>;
  const auto s = scrape(api);
  auto ops = [&](const std::string& op, const std::string& outcome) {
    return value(s, "glance_store_operations_total",
                 L{{"store", "http"}, {"operation", op}, {"outcome", outcome}});
  };
  EXPECT_EQ(ops("size", "ok"), 3);
  EXPECT_EQ(ops("size", "not_found"), 1);
  EXPECT_EQ(ops("size", "error"), 2);
  EXPECT_EQ(ops("get", "ok"), 1);
  EXPECT_EQ(value(s, "glance_store_operation_duration_seconds_count",
                  L{{"store", "http"}, {"operation", "size"}}),
            6);
  // The file store was not asked.
  EXPECT_EQ(value(s, "glance_store_operations_total",
                  L{{"store", "file"}, {"operation", "size"}, {"outcome", "ok"}}),
            0);
}

TEST(Metrics, RandomPathsAndMethodsAddNoSeries) {
  ApiEnvironment env;
  auto api = env.client();
  ASSERT_EQ(api.get("/v1/images").status, 200u);
  ASSERT_EQ(api.get("/nowhere").status, 300u);  // version negotiation answers: no route
  ASSERT_EQ(api.request("BREW", "/v1/images", {}).status, 405u);
  const size_t before = series(scrape(api), "glance_http_requests_total");
  auto baseline = ProcessHealth::snapshot(env.api().pid());
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    const std::string noise = random_uuid(rng);
    api.get("/" + noise);
    api.get("/v1/images/" + noise);
    api.request("M" + noise.substr(0, 6), "/v1/images", {});  // an unknown method
  }
  auto after = scrape(api);
  // The same series as before, plus at most the 404s of /v1/images/{id} and the scrape route.
  // A method no route takes is answered before a route is chosen: method "other", route
  // "none".
  EXPECT_LE(series(after, "glance_http_requests_total"), before + 3);
  EXPECT_GE(value(after, "glance_http_requests_total",
                  {{"method", "other"}, {"route", "none"}, {"code", "405"}}),
            299);
  std::set<std::string> routes;
  for (const auto& s : after)
    if (s.name == "glance_http_requests_total") routes.insert(s.labels.at("route"));
  for (const auto& route : routes) EXPECT_TRUE(route == "none" || route.starts_with("/")) << route;
  EXPECT_LE(routes.size(), 4u);
  expect_recovered(env.api(), baseline);
}

// The operational paths take GET and HEAD; any other method is 405 naming both, on either
// daemon, never the api's version document or an API 404, and the daemon keeps serving.
TEST(Metrics, OperationalPathsRefuseOtherMethodsWith405) {
  ApiEnvironment env;
  auto api = env.client();
  HttpClient registry(env.registry().daemon().port());
  auto baseline = ProcessHealth::snapshot(env.api().pid());
  for (const HttpClient* c : {&api, &registry}) {
    const std::string daemon = c == &api ? "api " : "registry ";
    const int port = c == &api ? env.api().port() : env.registry().daemon().port();
    for (const std::string path : {"/metrics", "/healthcheck", "/healthcheck/detailed"}) {
      for (const std::string method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        auto r =
            method == "POST" ? c->post(path, "scrape me") : c->request(method, path, HeaderList{});
        EXPECT_EQ(r.status, 405u) << daemon << method << " " << path << ": " << r.body;
        EXPECT_EQ(r.header("Allow"), std::optional<std::string>("GET, HEAD"))
            << daemon << method << " " << path;
      }
      auto head = c->head(path);
      EXPECT_EQ(head.status, 200u) << daemon << "HEAD " << path;
      EXPECT_TRUE(head.body.empty()) << daemon << "HEAD " << path;
      EXPECT_EQ(c->get(path).status, 200u) << daemon << "GET " << path;
    }
    // A body past any buffer limit is refused the same way, and the connection closed
    // rather than read to its end.
    RawConnection huge(port);
    huge.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" +
              std::string(1 << 16, 'm'));
    EXPECT_TRUE(huge.read(1 << 16).starts_with("HTTP/1.1 405")) << daemon;
    EXPECT_TRUE(huge.closed_by_server()) << daemon;
    EXPECT_EQ(c->get("/metrics").status, 200u) << daemon;
    // Paths beside them are no operational paths.
    EXPECT_NE(c->post("/metrics/x", "").status, 405u) << daemon;
  }
  EXPECT_NE(scrape(api).size(), 0u);
  expect_recovered(env.api(), baseline);
}

TEST(Metrics, TheOptionTurnsTheRouteOff) {
  ApiEnvironment env(false, "expose_metrics = false\n", "", "",
                     "[DEFAULT]\nexpose_metrics = false\n");
  auto api = env.client();
  // Version negotiation answers a path it does not know with the version document.
  EXPECT_EQ(api.get("/metrics").status, 300u);
  EXPECT_EQ(api.get("/v1/images").status, 200u);
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/metrics").status, 404u);
}

TEST(Metrics, ItsOwnPortServesThemAndTheApiPortsNoLonger) {
  ApiEnvironment env(false, "metrics_bind_port = 0\nmetrics_bind_host = 127.0.0.1\n", "", "",
                     "[DEFAULT]\nmetrics_bind_port = 0\nmetrics_bind_host = 127.0.0.1\n");
  auto api = env.client();
  ASSERT_EQ(api.get("/v1/images").status, 200u);
  const int api_metrics = env.api().metrics_port();
  const int registry_metrics = env.registry().daemon().metrics_port();
  ASSERT_GT(api_metrics, 0) << env.api().log();
  ASSERT_GT(registry_metrics, 0);
  EXPECT_NE(api_metrics, env.api().port());
  EXPECT_NE(registry_metrics, env.registry().daemon().port());

  HttpClient api_scraper(api_metrics);
  std::vector<Sample> s;
  ASSERT_TRUE(eventually([&] {
    s = scrape(api_scraper);
    return value(s, "glance_http_requests_total",
                 {{"method", "GET"}, {"route", "/v1/images"}, {"code", "200"}}) == 1;
  }));
  // Scrapes on the metrics port are not API requests: none counted, none in flight.
  EXPECT_EQ(value(s, "glance_http_requests_in_flight"), 0);
  EXPECT_EQ(series(s, "glance_http_requests_total"), 1u);
  EXPECT_GT(value(s, "process_open_fds"), 3);
  EXPECT_EQ(api_scraper.get("/healthcheck").status, 200u);
  EXPECT_EQ(api_scraper.get("/v1/images").status, 404u);
  auto posted = api_scraper.post("/metrics", "x");
  EXPECT_EQ(posted.status, 405u);
  EXPECT_EQ(posted.header("Allow"), std::optional<std::string>("GET, HEAD"));
  EXPECT_EQ(api_scraper.head("/metrics").status, 200u);
  HttpClient registry_scraper(registry_metrics);
  EXPECT_GT(value(scrape(registry_scraper), "glance_registry_db_operations_total",
                  {{"kind", "read"}, {"outcome", "ok"}}),
            0);

  // The API ports answer /metrics as any path they do not serve: the api with its version
  // document, the registry with 404.
  auto on_api = api.get("/metrics");
  EXPECT_EQ(on_api.status, 300u);
  EXPECT_EQ(on_api.body.find("glance_http_requests_total"), std::string::npos);
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/metrics").status, 404u);
}

TEST(Metrics, HostileClientsOnTheMetricsPortGet4xxAndTheDaemonKeepsServing) {
  ApiEnvironment env(false, "metrics_bind_port = 0\nmetrics_bind_host = 127.0.0.1\n");
  const int port = env.api().metrics_port();
  ASSERT_GT(port, 0) << env.api().log();
  HttpClient scraper(port);
  ASSERT_EQ(scraper.get("/metrics").status, 200u);
  auto baseline = ProcessHealth::snapshot(env.api().pid());

  auto exchange = [port](const std::string& bytes) {
    RawConnection c(port);
    c.send(bytes);
    return c.read(1 << 16, std::chrono::seconds(10));
  };
  auto status_of = [](const std::string& answer) {
    return answer.size() >= 12 && answer.starts_with("HTTP/1.") ? std::stoi(answer.substr(9, 3))
                                                                : 0;
  };
  std::mt19937 rng(7);
  for (int i = 0; i < 10; ++i) {
    std::string garbage(2000, '\0');
    for (auto& c : garbage) c = static_cast<char>(rng() % 256);
    const std::string answer = exchange(garbage + "\r\n\r\n");
    if (!answer.empty()) EXPECT_EQ(status_of(answer) / 100, 4) << answer.substr(0, 80);
  }
  // A header past any limit, a body on a route that takes none, a huge chunked body.
  const std::string huge_header = exchange(
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n");
  EXPECT_EQ(status_of(huge_header) / 100, 4) << huge_header.substr(0, 80);
  const std::string big_body =
      exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
               std::string(1 << 20, 'b'));
  EXPECT_EQ(status_of(big_body) / 100, 4) << big_body.substr(0, 80);
  EXPECT_EQ(scraper.request("DELETE", "/metrics").status, 405u);
  EXPECT_EQ(scraper.get("/" + std::string(10000, 'p')).status, 404u);
  // Clients that connect and say nothing, then vanish.
  for (int i = 0; i < 30; ++i) {
    RawConnection idle(port);
    idle.send("GET /metr");
    idle.reset();
  }

  EXPECT_EQ(scraper.get("/metrics").status, 200u);
  EXPECT_EQ(env.client().get("/v1/images").status, 200u);
  expect_recovered(env.api(), baseline, [port](const Daemon& api) {
    try {
      return answers_healthcheck(api) && HttpClient(port).get("/metrics").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  });
}

TEST(Metrics, AMetricsPortInUseStopsTheDaemonAtStartUp) {
  int port = 0;
  const int taken = listen_ephemeral("127.0.0.1", &port);
  ASSERT_GE(taken, 0);
  Daemon api(api_binary(),
             "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\n"
             "metrics_bind_host = 127.0.0.1\nmetrics_bind_port = " +
                 std::to_string(port) + "\n[glance_store]\nfilesystem_store_datadir = " +
                 make_temp_dir("glance-metrics-store") + "\n");
  try {
    api.start();
    ADD_FAILURE() << "glance-api started with its metrics port taken";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot serve /metrics: cannot listen on 127.0.0.1:" +
                                         std::to_string(port)),
              std::string::npos)
        << e.what();
  }
  ::close(taken);
}

}  // namespace
}  // namespace glance::testing
