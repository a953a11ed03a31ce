// GET /metrics on both daemons, read by a real Prometheus parser (python3-prometheus-client's,
// the one Prometheus' own Python tooling uses) after a known workload: the counters say what
// was done, labels stay bounded whatever clients send, and the option turns the route off.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

  // The registry counted the api's calls: three creates (the registry answers 200).
  HttpClient registry(env.registry().daemon().port());
  std::vector<Sample> r;
  EXPECT_TRUE(eventually([&] {
    r = scrape(registry);
    return value(r, "glance_http_requests_total",
                 L{{"method", "POST"}, {"route", "/images"}, {"code", "200"}}) == 3;
  }));
  EXPECT_GT(value(r, "process_open_fds"), 3);
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

TEST(Metrics, TheOptionTurnsTheRouteOff) {
  ApiEnvironment env(false, "expose_metrics = false\n", "", "",
                     "[DEFAULT]\nexpose_metrics = false\n");
  auto api = env.client();
  // Version negotiation answers a path it does not know with the version document.
  EXPECT_EQ(api.get("/metrics").status, 300u);
  EXPECT_EQ(api.get("/v1/images").status, 200u);
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/metrics").status, 404u);
}

}  // namespace
}  // namespace glance::testing
