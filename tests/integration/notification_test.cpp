// glance-api's notifications, consumed by oslo.messaging's own notification listener from a
// real RabbitMQ: every event of an upload, an update, a download and a delete through the v1
// API, with their payloads; an upload failure at ERROR; disabled_notifications; the log driver;
// and a broker that is away (stopped mid-run, a wrong password, nobody answering) never
// slowing or failing a request, with the losses counted in /metrics.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/process_health.h"
#include "tests/support/rabbitmq_broker.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

namespace glance::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

std::string notification_options(const std::string& url, const std::string& extra = "") {
  return "[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = " + url +
         "\nmax_reconnect_delay_ms = 200\n" + extra;
}

// The events whose payload concerns image `id`.
auto about(const std::string& id) {
  return [id](const json& e) {
    const auto& p = e["payload"];
    return p.is_object() && (p.value("id", "") == id || p.value("image_id", "") == id);
  };
}

std::vector<std::string> types_of(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e["event_type"]);
  return out;
}

// The value of the unlabelled sample `name` in the api's /metrics, or -1.
double metric(HttpClient& client, const std::string& name) {
  auto r = client.get("/metrics");
  std::smatch m;
  std::regex line("(^|\n)" + name + " ([0-9.e+]+)");
  if (r.status != 200 || !std::regex_search(r.body, m, line)) return -1;
  return std::stod(m[2]);
}

std::string upload(HttpClient& api, const std::string& data, const std::string& name) {
  auto r = api.post("/v1/images", data, with(kRawBare, {{"x-image-meta-name", name}}));
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : "";
}

TEST(Notifications, V1LifecycleReachesAnOsloListener) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "", "", notification_options(rabbitmq_broker().url));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const std::string data = random_bytes(300000, 7);
  auto created = api.post("/v1/images", data, with(kRawBare, {{"x-image-meta-name", "lifecycle"}}));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto image = created.json()["image"];
  const std::string id = image["id"];
  auto events = listener.wait_for(about(id), 5);
  ASSERT_EQ(types_of(events),
            (std::vector<std::string>{"image.create", "image.prepare", "image.upload",
                                      "image.activate", "image.update"}));
  for (const auto& e : events) {
    EXPECT_EQ(e["priority"], "INFO");
    EXPECT_EQ(e["publisher_id"], "image.localhost");
    EXPECT_TRUE(std::regex_match(
        e["metadata"]["message_id"].get<std::string>(),
        std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")))
        << e;
    EXPECT_TRUE(std::regex_match(e["metadata"]["timestamp"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})")))
        << e;
    // Locations may hold credentials: never in a payload.
    EXPECT_FALSE(e["payload"].contains("location")) << e;
    EXPECT_FALSE(e["payload"].contains("location_data")) << e;
    EXPECT_EQ(e["payload"]["name"], "lifecycle");
    EXPECT_EQ(e["payload"]["owner"], "tenant-a");
  }
  EXPECT_EQ(events[0]["payload"]["status"], "queued");
  EXPECT_EQ(events[1]["payload"]["status"], "queued");
  EXPECT_EQ(events[2]["payload"]["status"], "saving");
  for (int i : {2, 3, 4}) {
    EXPECT_EQ(events[i]["payload"]["size"], data.size());
    EXPECT_EQ(events[i]["payload"]["checksum"], image["checksum"]);
  }
  EXPECT_EQ(events[3]["payload"]["status"], "active");
  EXPECT_EQ(events[4]["payload"]["status"], "active");

  auto updated =
      api.put("/v1/images/" + id, "",
              {{"x-image-meta-name", "renamed"}, {"x-image-meta-property-os_distro", "debian"}});
  ASSERT_EQ(updated.status, 200u) << updated.body;
  auto got = api.get("/v1/images/" + id);
  ASSERT_EQ(got.status, 200u);
  ASSERT_EQ(got.body, data);
  ASSERT_EQ(api.del("/v1/images/" + id).status, 200u);

  events = listener.wait_for(about(id), 8);
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[5]["event_type"], "image.update");
  EXPECT_EQ(events[5]["payload"]["name"], "renamed");
  EXPECT_EQ(events[5]["payload"]["properties"]["os_distro"], "debian");
  EXPECT_EQ(events[6]["event_type"], "image.send");
  EXPECT_EQ(events[6]["priority"], "INFO");
  EXPECT_EQ(events[6]["payload"], (json{{"bytes_sent", data.size()},
                                        {"image_id", id},
                                        {"owner_id", "tenant-a"},
                                        {"receiver_tenant_id", "tenant-a"},
                                        {"receiver_user_id", "alice"},
                                        {"destination_ip", "127.0.0.1"}}));
  EXPECT_EQ(events[7]["event_type"], "image.delete");
  EXPECT_EQ(events[7]["payload"]["status"], "deleted");
  EXPECT_EQ(events[7]["payload"]["id"], id);
  EXPECT_EQ(metric(api, "glance_notifications_dropped_total"), 0);
  EXPECT_GE(metric(api, "glance_notifications_sent_total"), 8);
}

TEST(Notifications, V2LifecycleAsGlanceV2SendsIt) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "", "", notification_options(rabbitmq_broker().url));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  auto created = api.post("/v2/images",
                          json{{"name", "v2-life"},
                               {"disk_format", "raw"},
                               {"container_format", "bare"},
                               {"tags", {"t1"}},
                               {"os_distro", "debian"}}
                              .dump(),
                          {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["id"];
  const std::string data = random_bytes(100000, 3);
  auto put =
      api.put("/v2/images/" + id + "/file", data, {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(put.status, 204u) << put.body;
  auto patched = api.request(
      "PATCH", "/v2/images/" + id,
      {{"Content-Type", "application/openstack-images-v2.1-json-patch"}},
      json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "v2-renamed"}}}).dump());
  ASSERT_EQ(patched.status, 200u) << patched.body;
  auto got = api.get("/v2/images/" + id + "/file");
  ASSERT_EQ(got.status, 200u);
  ASSERT_EQ(api.del("/v2/images/" + id).status, 204u);

  auto events = listener.wait_for(about(id), 8);
  ASSERT_EQ(types_of(events), (std::vector<std::string>{
                                  "image.create", "image.prepare", "image.upload", "image.activate",
                                  "image.update", "image.update", "image.send", "image.delete"}))
      << events.size();
  const auto& create = events[0]["payload"];
  EXPECT_EQ(create["status"], "queued");
  EXPECT_EQ(create["visibility"], "shared");
  EXPECT_EQ(create["is_public"], false);
  EXPECT_EQ(create["tags"], json::array({"t1"}));
  EXPECT_EQ(create["properties"]["os_distro"], "debian");
  EXPECT_EQ(create["deleted"], false);
  EXPECT_TRUE(std::regex_match(create["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << create;
  EXPECT_FALSE(create.contains("locations"));
  EXPECT_EQ(events[3]["payload"]["status"], "active");
  EXPECT_EQ(events[3]["payload"]["size"], data.size());
  EXPECT_EQ(events[5]["payload"]["name"], "v2-renamed");
  EXPECT_EQ(events[6]["payload"], (json{{"bytes_sent", data.size()},
                                        {"image_id", id},
                                        {"owner_id", "tenant-a"},
                                        {"receiver_tenant_id", "tenant-a"},
                                        {"receiver_user_id", "alice"}}));
  EXPECT_EQ(events[7]["payload"]["deleted"], true);
  EXPECT_EQ(events[7]["payload"]["status"], "deleted");
  EXPECT_FALSE(events[7]["payload"]["deleted_at"].is_null());
}

TEST(Notifications, V2TagsActionsAndMembersAsGlanceV2SendsThem) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "", "", notification_options(rabbitmq_broker().url));
  auto alice = env.client(identity("tenant-a", "member", "alice"));
  auto bob = env.client(identity("tenant-b", "member", "bob"));
  auto admin = env.client(identity("tenant-z", "admin", "root"));
  auto created = alice.post("/v2/images",
                            json{{"name", "v2-extras"},
                                 {"disk_format", "raw"},
                                 {"container_format", "bare"},
                                 {"tags", {"t1"}}}
                                .dump(),
                            {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["id"];
  ASSERT_EQ(alice
                .put("/v2/images/" + id + "/file", "0123456789",
                     {{"Content-Type", "application/octet-stream"}})
                .status,
            204u);
  ASSERT_EQ(alice.put("/v2/images/" + id + "/tags/t2", "").status, 204u);
  ASSERT_EQ(alice.del("/v2/images/" + id + "/tags/t1").status, 204u);
  // Refused changes are not announced.
  ASSERT_EQ(bob.put("/v2/images/" + id + "/tags/t3", "").status, 404u);
  ASSERT_EQ(admin.post("/v2/images/" + id + "/actions/deactivate", "").status, 204u);
  ASSERT_EQ(admin.post("/v2/images/" + id + "/actions/reactivate", "").status, 204u);
  auto member = alice.post("/v2/images/" + id + "/members", json{{"member", "tenant-b"}}.dump(),
                           {{"Content-Type", "application/json"}});
  ASSERT_EQ(member.status, 200u) << member.body;
  ASSERT_EQ(alice
                .post("/v2/images/" + id + "/members", json{{"member", "tenant-b"}}.dump(),
                      {{"Content-Type", "application/json"}})
                .status,
            409u);
  ASSERT_EQ(bob.put("/v2/images/" + id + "/members/tenant-b", json{{"status", "accepted"}}.dump(),
                    {{"Content-Type", "application/json"}})
                .status,
            200u);
  ASSERT_EQ(alice.del("/v2/images/" + id + "/members/tenant-b").status, 204u);
  // The last event: anything sent for the refused requests would come before it.
  ASSERT_EQ(alice.del("/v2/images/" + id).status, 204u);

  auto events = listener.wait_for(about(id), 13);
  ASSERT_EQ(types_of(events), (std::vector<std::string>{
                                  "image.create", "image.prepare", "image.upload", "image.activate",
                                  "image.update", "image.update", "image.update", "image.update",
                                  "image.update", "image.member.create", "image.member.update",
                                  "image.member.delete", "image.delete"}))
      << events.size();
  EXPECT_EQ(events[5]["payload"]["tags"], json::array({"t1", "t2"}));
  EXPECT_EQ(events[6]["payload"]["tags"], json::array({"t2"}));
  EXPECT_EQ(events[7]["payload"]["status"], "deactivated");
  EXPECT_EQ(events[8]["payload"]["status"], "active");
  const auto& added = events[9]["payload"];
  EXPECT_EQ(added["image_id"], id);
  EXPECT_EQ(added["member_id"], "tenant-b");
  EXPECT_EQ(added["status"], "pending");
  EXPECT_EQ(added["deleted"], false);
  EXPECT_TRUE(added["deleted_at"].is_null());
  EXPECT_TRUE(std::regex_match(added["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << added;
  EXPECT_EQ(events[10]["payload"]["status"], "accepted");
  EXPECT_EQ(events[11]["payload"]["member_id"], "tenant-b");
  EXPECT_EQ(events[11]["payload"]["deleted"], true);
  EXPECT_FALSE(events[11]["payload"]["deleted_at"].is_null());
}

TEST(Notifications, MessagingDriverSendsTheBareMessageWhichOsloDecodesToo) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "default_publisher_id = image.node7\n", "",
                     "[oslo_messaging_notifications]\ndriver = messaging\ndriver = log\n"
                     "transport_url = " +
                         rabbitmq_broker().url + "\n");
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const std::string id = upload(api, "0123456789", "bare");
  auto events = listener.wait_for(about(id), 5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0]["event_type"], "image.create");
  EXPECT_EQ(events[0]["publisher_id"], "image.node7");
  // Both drivers: the log has them as well.
  EXPECT_NE(env.api().log().find("notification image.create"), std::string::npos);
}

TEST(Notifications, CopyFromIsAnnouncedAsAnUpload) {
  SourceServer source;
  const std::string data = random_bytes(70000, 11);
  source.put("/copied.raw", data);
  NotificationListener listener(rabbitmq_broker().url);
  // The source server is on loopback, which copy_from refuses unless allowed.
  ApiEnvironment env(true, "external_source_allowed_hosts = 127.0.0.1\n", "stores = file, http\n",
                     notification_options(rabbitmq_broker().url));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  auto r = api.post("/v1/images", "",
                    {{"x-image-meta-disk_format", "raw"},
                     {"x-image-meta-container_format", "bare"},
                     {"x-image-meta-name", "copied"},
                     {"x-glance-api-copy-from", source.url("/copied.raw")}});
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id = r.json()["image"]["id"];
  auto events = listener.wait_for(about(id), 5);
  ASSERT_EQ(types_of(events),
            (std::vector<std::string>{"image.create", "image.prepare", "image.upload",
                                      "image.activate", "image.update"}));
  EXPECT_EQ(events[3]["payload"]["size"], data.size());
  EXPECT_EQ(events[3]["payload"]["status"], "active");
}

TEST(Notifications, FailedUploadIsAnErrorEvent) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "", "", notification_options(rabbitmq_broker().url));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  auto r =
      api.post("/v1/images", "some bytes",
               with(kRawBare, {{"x-image-meta-name", "bad-sum"},
                               {"x-image-meta-checksum", "00000000000000000000000000000000"}}));
  ASSERT_EQ(r.status, 400u) << r.body;
  auto errors = listener.wait_for(
      [](const json& e) {
        return e["priority"] == "ERROR" && e["payload"].is_string() &&
               e["payload"].get<std::string>().find("00000000000000000000000000000000") !=
                   std::string::npos;
      },
      1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["event_type"], "image.upload");
  EXPECT_EQ(errors[0]["publisher_id"], "image.localhost");
}

TEST(Notifications, DisabledNotificationsAreNotSent) {
  NotificationListener listener(rabbitmq_broker().url);
  ApiEnvironment env(true, "disabled_notifications = image.prepare,image.send\n", "",
                     notification_options(rabbitmq_broker().url));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const std::string id = upload(api, "0123456789", "quiet");
  ASSERT_EQ(api.get("/v1/images/" + id).status, 200u);
  ASSERT_EQ(api.del("/v1/images/" + id).status, 200u);
  // The delete comes last: once it is in, every earlier event would be too.
  auto events = listener.wait_for(about(id), 5);
  EXPECT_EQ(types_of(events),
            (std::vector<std::string>{"image.create", "image.upload", "image.activate",
                                      "image.update", "image.delete"}));
}

TEST(Notifications, LogDriverWritesEachMessageToTheLog) {
  ApiEnvironment env(true, "", "", "[oslo_messaging_notifications]\ndriver = log\n");
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const std::string id = upload(api, "0123456789", "logged");
  ASSERT_TRUE(eventually([&] {
    return env.api().log().find("\"event_type\":\"image.activate\"") != std::string::npos;
  }));
  auto log = env.api().log();
  EXPECT_NE(log.find("notification image.create"), std::string::npos);
  EXPECT_NE(log.find("\"id\":\"" + id + "\""), std::string::npos);
  EXPECT_NE(log.find("\"publisher_id\":\"image.localhost\""), std::string::npos);
}

TEST(Notifications, UnknownDriverIsRefusedAtStart) {
  try {
    ApiEnvironment env(false, "", "", "[oslo_messaging_notifications]\ndriver = carrier_pigeon\n");
    FAIL() << "glance-api started with an unknown notification driver";
  } catch (const std::exception& e) {
    std::string why = e.what();
    EXPECT_NE(why.find("driver"), std::string::npos) << why;
    EXPECT_NE(why.find("carrier_pigeon"), std::string::npos) << why;
  }
}

// Uploads `count` images through `api` and returns the slowest request's time.
Clock::duration slowest_of_uploads(HttpClient& api, int count, const std::string& name) {
  Clock::duration slowest{};
  for (int i = 0; i < count; ++i) {
    auto began = Clock::now();
    EXPECT_FALSE(upload(api, random_bytes(5000, i), name + std::to_string(i)).empty());
    slowest = std::max(slowest, Clock::now() - began);
  }
  return slowest;
}

// A broker that is away must cost a request nothing: each request of the outage is as fast as
// the slowest one before it, give or take scheduling; waiting on the broker would cost a
// request its 5 s time-outs.
void expect_unhindered(Clock::duration before, Clock::duration during) {
  using namespace std::chrono;
  EXPECT_LT(during, before * 3 + milliseconds(2000))
      << "before " << duration_cast<milliseconds>(before).count() << " ms, during "
      << duration_cast<milliseconds>(during).count() << " ms";
}

TEST(NotificationsHostile, BrokerStoppedMidRun) {
  PrivateRabbitmq broker;
  NotificationListener listener(broker.broker().url);
  ApiEnvironment env(true, "", "",
                     notification_options(broker.broker().url, "max_queued_notifications = 8\n"));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const std::string first = upload(api, "before the outage", "before");
  ASSERT_EQ(listener.wait_for(about(first), 5).size(), 5u);
  const auto before = slowest_of_uploads(api, 3, "warm");
  const auto baseline = ProcessHealth::snapshot(env.api().pid());

  broker.halt();
  // 10 uploads make 50 events: the first 8 wait in the queue, the rest are dropped.
  const auto during = slowest_of_uploads(api, 10, "outage");
  expect_unhindered(before, during);
  EXPECT_TRUE(
      eventually([&] { return metric(api, "glance_notifications_broker_connected") == 0; }));
  EXPECT_EQ(metric(api, "glance_notifications_queued"), 8);
  EXPECT_GE(metric(api, "glance_notifications_dropped_total"), 40);

  broker.resume();
  // The queued events go out, then new ones.
  ASSERT_TRUE(eventually([&] { return metric(api, "glance_notifications_queued") == 0; },
                         std::chrono::seconds(60)));
  const std::string after = upload(api, "after the outage", "after");
  NotificationListener fresh(broker.broker().url);
  ASSERT_EQ(api.del("/v1/images/" + after).status, 200u);
  auto events = fresh.wait_for(about(after), 1);
  ASSERT_EQ(types_of(events), std::vector<std::string>{"image.delete"});
  EXPECT_EQ(metric(api, "glance_notifications_broker_connected"), 1);
  expect_recovered(env.api(), baseline);
}

TEST(NotificationsHostile, WrongPasswordDoesNotStopServing) {
  auto url = rabbitmq_broker().url;
  url.replace(url.find("guest@"), 6, "wrong@");
  ApiEnvironment env(true, "", "", notification_options(url, "max_queued_notifications = 4\n"));
  auto api = env.client(identity("tenant-a", "member", "alice"));
  const auto during = slowest_of_uploads(api, 3, "refused");
  expect_unhindered(std::chrono::milliseconds(500), during);
  EXPECT_EQ(metric(api, "glance_notifications_queued"), 4);
  EXPECT_GE(metric(api, "glance_notifications_dropped_total"), 11);
  EXPECT_EQ(metric(api, "glance_notifications_sent_total"), 0);
  EXPECT_TRUE(
      eventually([&] { return env.api().log().find("login refused") != std::string::npos; }));
  // The password is never logged.
  EXPECT_EQ(env.api().log().find("wrong"), std::string::npos);
}

TEST(NotificationsHostile, BrokerThatNeverAnswersDoesNotStopServing) {
  // A listening socket that never accepts: connections complete in the kernel's backlog, and
  // then nothing ever answers the AMQP handshake.
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(silent, 16), 0);
  socklen_t len = sizeof addr;
  getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string url =
      "rabbit://guest:guest@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  {
    ApiEnvironment env(true, "", "", notification_options(url));
    auto api = env.client(identity("tenant-a", "member", "alice"));
    const auto during = slowest_of_uploads(api, 3, "silent");
    expect_unhindered(std::chrono::milliseconds(500), during);
    EXPECT_EQ(metric(api, "glance_notifications_broker_connected"), 0);
    EXPECT_EQ(metric(api, "glance_notifications_sent_total"), 0);
    // Stopping is not held up by the publisher's wait for the silent broker either.
    auto began = Clock::now();
    EXPECT_EQ(env.api().stop(), 0);
    EXPECT_LT(Clock::now() - began, std::chrono::seconds(15));
  }
  close(silent);
}

}  // namespace
}  // namespace glance::testing
