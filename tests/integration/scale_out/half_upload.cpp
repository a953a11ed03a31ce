#include "tests/integration/scale_out/half_upload.h"

#include "tests/integration/scale_out/cluster_checks.h"
#include "tests/support/eventually.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <chrono>

namespace glance::testing::scale_out {

using namespace std::chrono_literals;

HalfUpload::HalfUpload(int port, std::string image, unsigned seed)
    : id(std::move(image)), data(random_bytes(512 * 1024, seed)), conn(port) {
  conn.send("PUT /v1/images/" + id +
            " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: " +
            std::to_string(data.size()) + "\r\n\r\n" + data.substr(0, data.size() / 2));
}

bool HalfUpload::finish() {
  if (!conn.send(data.substr(data.size() / 2))) return false;
  answer = conn.read(12, 60s);
  return answer == "HTTP/1.1 200";
}

HalfUploads::HalfUploads(ScaleOutCluster& cluster, unsigned seed) {
  auto c = cluster.client();
  std::vector<std::string> queued;
  for (unsigned i = 0; i < 4; ++i) queued.push_back(create(c, "half-" + std::to_string(i), ""));
  for (unsigned i = 0; i < 4; ++i)
    uploads_.push_back(std::make_unique<HalfUpload>(cluster.api_port(), queued[i], seed + i));
  for (const auto& u : uploads_)
    EXPECT_TRUE(eventually([&] { return status_of(cluster, u->id) == "saving"; }, 30s)) << u->id;
}

void HalfUploads::finish() {
  for (auto& u : uploads_) (u->finish() ? survived_ : died_).push_back(u.get());
  EXPECT_EQ(died_.size(), 2u);
  EXPECT_EQ(survived_.size(), 2u);
}

void HalfUploads::expect_settled(ScaleOutCluster& cluster) const {
  auto c = cluster.client();
  for (const auto* u : survived_) {
    EXPECT_EQ(status_of(cluster, u->id), "active");
    EXPECT_TRUE(c.get("/v1/images/" + u->id).body == u->data) << u->id;
  }
  for (const auto* u : died_) {
    EXPECT_TRUE(eventually([&] { return status_of(cluster, u->id) == "killed"; }, 60s))
        << u->id << " is " << status_of(cluster, u->id) << " (its upload was answered " << u->answer
        << ")";
    EXPECT_TRUE(eventually([&] { return data_of(cluster, u->id) == 0; }, 20s)) << u->id;
  }
}

}  // namespace glance::testing::scale_out
