// GET /v1/images, /v1/images/detail and /v2/images pass the registry's page on as it arrives,
// an image at a time: the client gets the same list, chunked; a registry answer that goes wrong
// after the first image cuts the client's connection (a list is never ended short as if whole), and
// one that is wrong from the start is a clean 500.

#include "tests/support/answering_proxy.h"
#include "tests/support/api_fixture.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

using nlohmann::json;

constexpr int kImages = 150;  // some 90 KB of detail: more than one piece either way

std::string api_config(int registry_port, const std::string& datadir) {
  return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n"
         "registry_host = 127.0.0.1\nregistry_port = " +
         std::to_string(registry_port) +
         "\nregistry_client_timeout = 30\n"
         "\n[glance_store]\nstores = file\ndefault_store = file\nfilesystem_store_datadir = " +
         datadir + "\n";
}

// An api that reaches its registry through a proxy that can answer for it.
class ApiListStream : public ::testing::Test {
 protected:
  ApiListStream()
      : proxy_(registry_.daemon().port()),
        api_(api_binary(),
             api_config(proxy_.port(), make_temp_dir("glance-api-store") + "/images")) {}

  void SetUp() override {
    api_.start();
    HttpClient api(api_.port());
    for (int i = 0; i < kImages; ++i) {
      auto r = api.post("/v1/images", "",
                        {{"x-image-meta-name", "listed-" + std::to_string(i)},
                         {"x-image-meta-is_public", "true"},
                         {"x-image-meta-property-purpose", "a property to make it longer"}});
      ASSERT_EQ(r.status, 201u) << r.body;
    }
  }

  // The registry's own answer to the api's list call, as the api would read it: its v1
  // resource (/images/detail) or its v2 one (/v2/images/detail).
  std::string registry_page(const std::string& resource = "/images/detail") {
    auto r = HttpClient(registry_.daemon().port()).get(resource + "?limit=1000");
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.body;
  }

  static std::string canned(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  RegistryEnvironment registry_;
  AnsweringProxy proxy_;
  Daemon api_;
};

TEST_F(ApiListStream, EveryListIsThePageChunkedInTheRegistrysOrder) {
  std::vector<std::string> want;
  const json page = json::parse(registry_page());
  for (const auto& image : page["images"]) want.push_back(image["id"].get<std::string>());
  ASSERT_EQ(want.size(), size_t{kImages});
  for (const char* path :
       {"/v1/images/detail?limit=1000", "/v1/images?limit=1000", "/v2/images?limit=1000"}) {
    auto r = HttpClient(api_.port()).get(path);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("Transfer-Encoding").value_or(""), "chunked") << path;
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json") << path;
    std::vector<std::string> got;
    const json listed = json::parse(r.body);
    for (const auto& image : listed["images"]) {
      got.push_back(image["id"].get<std::string>());
      EXPECT_FALSE(image.contains("location")) << path;
    }
    EXPECT_EQ(got, want) << path;
  }
}

// v2's links follow the list: "next" only after a full page, naming its last image.
TEST_F(ApiListStream, V2sLinksFollowTheStreamedList) {
  auto full = HttpClient(api_.port()).get("/v2/images?limit=100");
  ASSERT_EQ(full.status, 200u) << full.body;
  const json first_page = json::parse(full.body);
  ASSERT_EQ(first_page["images"].size(), 100u);
  EXPECT_EQ(first_page["schema"], "/v2/schemas/images");
  EXPECT_EQ(first_page["first"], "/v2/images?limit=100");
  const std::string last = first_page["images"][99]["id"].get<std::string>();
  ASSERT_TRUE(first_page.contains("next"));
  EXPECT_NE(first_page["next"].get<std::string>().find("marker=" + last), std::string::npos);
  auto rest = HttpClient(api_.port()).get(first_page["next"].get<std::string>());
  ASSERT_EQ(rest.status, 200u) << rest.body;
  const json second_page = json::parse(rest.body);
  EXPECT_EQ(second_page["images"].size(), size_t{kImages - 100});
  EXPECT_FALSE(second_page.contains("next"));
}

TEST_F(ApiListStream, ARegistryAnswerBrokenAfterTheFirstImageCutsTheClientsConnection) {
  // Warm the pools, then the baseline.
  ASSERT_EQ(HttpClient(api_.port()).get("/v1/images/detail?limit=1000").status, 200u);
  const auto baseline = ProcessHealth::snapshot(api_.pid());
  for (int round = 0; round < 4; ++round) {
    const bool v2 = round % 2 == 1;
    const std::string page = registry_page(v2 ? "/v2/images/detail" : "/images/detail");
    const std::string broken = page.substr(0, page.rfind(']')) + ", 7]}";
    proxy_.answer(v2 ? "GET /v2/images/detail" : "GET /images/detail", canned(broken));
    RawConnection client(api_.port());
    ASSERT_TRUE(client.send(std::string("GET ") + (v2 ? "/v2/images" : "/v1/images/detail") +
                            "?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string got = client.read(8 << 20, std::chrono::seconds(20));
    EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 200);
    EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got.substr(0, 400);
    // The connection closed without the last chunk: the list is not ended as if whole.
    EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos) << got.substr(got.size() - 40);
    EXPECT_TRUE(client.closed_by_server());
  }
  proxy_.pass();
  expect_recovered(api_, baseline, [](const Daemon& d) {
    auto r = HttpClient(d.port()).get("/v1/images/detail?limit=1000");
    return r.status == 200 && json::parse(r.body).at("images").size() == size_t{kImages};
  });
}

// Clients that reset a list midway or stop reading it: each costs only its own request, and
// the registry connection its page came on is let go with it (the api's and the registry's
// descriptors back at baseline).
TEST_F(ApiListStream, ClientsThatResetOrStopReadingAListCostOnlyTheirRequest) {
  const std::string request = "GET /v1/images/detail?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n";
  // The baseline after as many lists at once as the test makes: the api keeps the registry
  // connections of answers read whole in its pool, which is growth, not a leak.
  {
    std::vector<std::thread> warm;
    for (int i = 0; i < 6; ++i)
      warm.emplace_back([&] {
        EXPECT_EQ(HttpClient(api_.port()).get("/v1/images/detail?limit=1000").status, 200u);
      });
    for (auto& t : warm) t.join();
  }
  const auto api_baseline = ProcessHealth::snapshot(api_.pid());
  const auto registry_baseline = ProcessHealth::snapshot(registry_.daemon().pid());
  for (int round = 0; round < 8; ++round) {
    RawConnection reset(api_.port());
    reset.set_receive_buffer(4096);
    ASSERT_TRUE(reset.send(request));
    EXPECT_FALSE(reset.read(2048, std::chrono::seconds(10)).empty());
    reset.reset();
  }
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(api_.port()));
    stalled.back()->set_receive_buffer(4096);
    ASSERT_TRUE(stalled.back()->send(request));
  }
  // Meanwhile others are served whole.
  auto whole = HttpClient(api_.port()).get("/v1/images/detail?limit=1000");
  ASSERT_EQ(whole.status, 200u);
  EXPECT_EQ(json::parse(whole.body)["images"].size(), size_t{kImages});
  stalled.clear();
  const auto probe = [](const Daemon& d) {
    auto r = HttpClient(d.port()).get("/v1/images/detail?limit=1000");
    return r.status == 200 && json::parse(r.body).at("images").size() == size_t{kImages};
  };
  expect_recovered(api_, api_baseline, probe);
  expect_recovered(registry_.daemon(), registry_baseline, [](const Daemon& d) {
    return HttpClient(d.port()).get("/healthcheck").status == 200;
  });
}

TEST_F(ApiListStream, ARegistryAnswerWrongFromTheStartIsAClean500) {
  for (const std::string& body : {std::string(R"({"images": 5})"), std::string("<html>"),
                                  std::string(R"({"images": [{"name": "no id"}]})")}) {
    proxy_.answer("GET /images/detail", canned(body));
    auto r = HttpClient(api_.port()).get("/v1/images/detail");
    EXPECT_EQ(r.status, 500u) << body << ": " << r.body;
    EXPECT_FALSE(r.header("Transfer-Encoding")) << body;
  }
  // An empty page is an empty list, not an error.
  proxy_.answer("GET /images/detail", canned(R"({"images": []})"));
  auto empty = HttpClient(api_.port()).get("/v1/images/detail");
  EXPECT_EQ(empty.status, 200u);
  EXPECT_EQ(empty.body, R"({"images":[]})");
}

}  // namespace
}  // namespace glance::testing
