// python-glanceclient's CLI (Debian's python3-glanceclient), v1 and v2, against glance-api
// whose default store is RBD on the test harness's Ceph: what the client uploads lands in one
// RBD image with its protected snapshot, comes back byte for byte, and leaves no RBD image
// once deleted; an image Nova cloned refuses the client's delete and keeps its data. Each CLI
// call costs seconds of Python start-up, so the calls are few.

#include "tests/support/api_fixture.h"
#include "tests/support/ceph_cluster.h"
#include "tests/support/daemon.h"
#include "tests/support/glance_cli.h"
#include "tests/support/mariadb_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace glance::testing {
namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class RbdGlanceClient : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    admin_ = new CephAdmin(ceph_cluster());
    pool_ = new std::string(admin_->create_pool("glance-cli"));
    // 1 MiB objects: the test images span several, and an upload of unknown size grows.
    env_ = new ApiEnvironment(false, "",
                              "stores = file, rbd\n"
                              "default_store = rbd\n"
                              "rbd_store_ceph_conf = " +
                                  ceph_cluster().conf + "\nrbd_store_pool = " + *pool_ +
                                  "\nrbd_store_chunk_size = 1\nrados_connect_timeout = 60\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    admin_->delete_pool(*pool_);
    delete pool_;
    delete admin_;
  }
  void SetUp() override { dir_ = make_temp_dir("glance-rbd-cli"); }

  std::vector<std::string> images() const { return admin_->images(*pool_); }
  std::string cli(int version) const {
    return "glance --os-image-api-version " + std::to_string(version) +
           " --os-image-url http://127.0.0.1:" + std::to_string(env_->api().port()) +
           " --os-auth-token fake";
  }
  std::string random_file(const std::string& name, size_t size, uint64_t seed) {
    std::string path = dir_ + "/" + name;
    write_random_file(path, size, seed);
    return path;
  }
  // The image's RBD image holds exactly `data`, with its protected snapshot "snap".
  void expect_stored(const std::string& id, const std::string& data) {
    EXPECT_EQ(images(), std::vector<std::string>{id});
    EXPECT_TRUE(admin_->snapshot_protected(*pool_, id, "snap"));
    EXPECT_EQ(admin_->image_size(*pool_, id), data.size());
  }

  static CephAdmin* admin_;
  static std::string* pool_;
  static ApiEnvironment* env_;
  std::string dir_;
};
CephAdmin* RbdGlanceClient::admin_ = nullptr;
std::string* RbdGlanceClient::pool_ = nullptr;
ApiEnvironment* RbdGlanceClient::env_ = nullptr;

TEST_F(RbdGlanceClient, V1CreateFromFileAndStdinDownloadDelete) {
  const std::string v1 = cli(1);
  const auto file = random_file("cirros.img", (3 << 20) + 17, 21);
  const auto data = file_bytes(file);
  auto created = parse_cli_table(run_glance_cli(
      v1, "image-create --name rbd-cli --disk-format raw --container-format bare --file " + file));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["size"], std::to_string(data.size()));
  EXPECT_EQ(created["checksum"], md5_of_file(file));
  expect_stored(id, data);

  const std::string down = dir_ + "/down.img";
  EXPECT_EQ(run_glance_cli(v1, "image-download --file " + down + " " + id), "");
  EXPECT_TRUE(file_bytes(down) == data);

  // From a pipe: chunked, no declared size, so the RBD image grows as the bytes come.
  const auto piped_file = random_file("piped.img", (2 << 20) + 5, 22);
  auto piped = parse_cli_table(
      run_glance_cli(v1, "image-create --name rbd-piped --disk-format raw --container-format bare",
                     "< " + piped_file));
  const std::string piped_id = piped["id"];
  ASSERT_EQ(piped_id.size(), 36u);
  EXPECT_EQ(piped["status"], "active");
  EXPECT_EQ(piped["size"], std::to_string((2 << 20) + 5));
  EXPECT_EQ(piped["checksum"], md5_of_file(piped_file));
  EXPECT_EQ(admin_->image_size(*pool_, piped_id), uint64_t{(2 << 20) + 5});
  const std::string piped_down = dir_ + "/piped-down.img";
  EXPECT_EQ(run_glance_cli(v1, "image-download --file " + piped_down + " " + piped_id), "");
  EXPECT_TRUE(file_bytes(piped_down) == file_bytes(piped_file));

  EXPECT_EQ(run_glance_cli(v1, "image-delete " + id + " " + piped_id), "");
  EXPECT_TRUE(images().empty());
  auto shown = parse_cli_table(run_glance_cli(v1, "image-show " + id));
  EXPECT_EQ(shown["status"], "deleted");
  // Its data is gone: a download now fails.
  auto [code, out] = Daemon::run(v1, "image-download --file " + dir_ + "/gone.img " + id + " <&-");
  EXPECT_NE(code, 0) << out;
}

TEST_F(RbdGlanceClient, V1DeleteOfAClonedImageFailsAndKeepsItsData) {
  const std::string v1 = cli(1);
  const auto file = random_file("base.img", 700000, 23);
  auto created = parse_cli_table(run_glance_cli(
      v1, "image-create --name rbd-base --disk-format raw --container-format bare --file " + file));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  admin_->clone(*pool_, id, "snap", "instance-" + id);

  // The v1 CLI reports a failed delete and exits 0 all the same.
  auto refused = Daemon::run(v1, "image-delete " + id + " <&-").second;
  EXPECT_NE(refused.find("HTTP 409 Conflict"), std::string::npos) << refused;
  EXPECT_NE(refused.find("has clones"), std::string::npos) << refused;
  EXPECT_EQ(parse_cli_table(run_glance_cli(v1, "image-show " + id))["status"], "active");
  EXPECT_TRUE(admin_->snapshot_protected(*pool_, id, "snap"));
  const std::string down = dir_ + "/kept.img";
  EXPECT_EQ(run_glance_cli(v1, "image-download --file " + down + " " + id), "");
  EXPECT_TRUE(file_bytes(down) == file_bytes(file));

  admin_->remove_image(*pool_, "instance-" + id);
  EXPECT_EQ(run_glance_cli(v1, "image-delete " + id), "");
  EXPECT_TRUE(images().empty());
}

TEST_F(RbdGlanceClient, V2CreateUploadDownloadDelete) {
  const std::string v2 = cli(2);
  // image-create with --file: creates, then uploads through PUT /v2/images/{id}/file.
  const auto file = random_file("v2.img", (2 << 20) + 333, 24);
  const auto data = file_bytes(file);
  auto created = parse_cli_table(run_glance_cli(
      v2, "image-create --name rbd-v2 --disk-format raw --container-format bare --file " + file));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["size"], std::to_string(data.size()));
  EXPECT_EQ(created["checksum"], md5_of_file(file));
  expect_stored(id, data);

  // A second image: created empty, then image-upload.
  auto queued = parse_cli_table(run_glance_cli(v2,
                                               "image-create --name rbd-v2-later --disk-format raw "
                                               "--container-format bare"));
  const std::string later_id = queued["id"];
  ASSERT_EQ(later_id.size(), 36u);
  EXPECT_EQ(queued["status"], "queued");
  EXPECT_EQ(images(), std::vector<std::string>{id});
  const auto later = random_file("later.img", 1500000, 25);
  run_glance_cli(v2, "image-upload --file " + later + " " + later_id);
  auto shown = parse_cli_table(run_glance_cli(v2, "image-show " + later_id));
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["checksum"], md5_of_file(later));
  EXPECT_EQ(admin_->image_size(*pool_, later_id), uint64_t{1500000});
  // A second upload into an active image is refused and changes nothing in Ceph.
  auto [code, out] = Daemon::run(v2, "image-upload --file " + file + " " + later_id + " <&-");
  EXPECT_NE(code, 0) << out;
  EXPECT_EQ(admin_->image_size(*pool_, later_id), uint64_t{1500000});

  const std::string down = dir_ + "/v2-down.img";
  EXPECT_EQ(run_glance_cli(v2, "image-download --file " + down + " " + id), "");
  EXPECT_TRUE(file_bytes(down) == data);
  const std::string later_down = dir_ + "/v2-later-down.img";
  EXPECT_EQ(run_glance_cli(v2, "image-download --file " + later_down + " " + later_id), "");
  EXPECT_TRUE(file_bytes(later_down) == file_bytes(later));

  run_glance_cli(v2, "image-delete " + id + " " + later_id);
  EXPECT_TRUE(images().empty());
  auto [gone_code, gone] = Daemon::run(v2, "image-show " + id + " <&-");
  EXPECT_NE(gone_code, 0) << gone;
}

}  // namespace
}  // namespace glance::testing
