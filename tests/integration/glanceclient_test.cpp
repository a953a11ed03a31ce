// python-glanceclient's v1 CLI (Debian's python3-glanceclient) against the real daemons in
// the noauth flavor: every command's output is checked, not only its exit status. Each CLI
// call costs seconds of Python start-up, so the calls are few and the tests two.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/glance_cli.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/source_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>

namespace glance::testing {
namespace {

class GlanceClient : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnvironment>();
    dir_ = make_temp_dir("glance-cli");
    cli_ = glance_cli("http", env_->api().port(), "--os-auth-token fake");
  }

  std::string glance(const std::string& args, const std::string& stdin_redirect = "<&-") {
    return run_glance_cli(cli_, args, stdin_redirect);
  }
  std::string glance_tty(const std::string& args) { return run_glance_cli_tty(cli_, args); }
  std::string random_file(const std::string& name, size_t size) {
    std::string path = dir_ + "/" + name;
    write_random_file(path, size, size);
    return path;
  }

  std::unique_ptr<ApiEnvironment> env_;
  std::string dir_;
  std::string cli_;
};

TEST_F(GlanceClient, CreateListShowUpdateDownloadDelete) {
  const size_t size = 3 * 1024 * 1024 + 17;
  auto file = random_file("cirros.img", size);
  // On a terminal, or the CLI draws no progress bar.
  auto out = glance_tty(
      "image-create --name cirros --disk-format qcow2 --container-format bare --is-public True "
      "--property foo=bar --progress --file " +
      file);
  EXPECT_NE(out.find("100%"), std::string::npos) << out;  // the progress bar
  auto created = parse_cli_table(out);
  EXPECT_EQ(created["status"], "active") << out;
  EXPECT_EQ(created["checksum"], md5_of_file(file));
  EXPECT_EQ(created["size"], std::to_string(size));
  EXPECT_EQ(created["Property 'foo'"], "bar");
  EXPECT_EQ(created["is_public"], "True");
  EXPECT_EQ(created["disk_format"], "qcow2");
  std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u) << out;

  // From stdin: chunked, with no declared size.
  auto piped_file = random_file("piped.img", 100000);
  auto piped = parse_cli_table(
      glance("image-create --name piped --disk-format raw --container-format bare --is-public True",
             "< " + piped_file));
  EXPECT_EQ(piped["status"], "active");
  EXPECT_EQ(piped["size"], "100000");
  EXPECT_EQ(piped["checksum"], md5_of_file(piped_file));

  // Reserve, then upload into the reserved image.
  auto reserved = parse_cli_table(glance(
      "image-create --name reserved --disk-format raw --container-format bare --is-public True"));
  EXPECT_EQ(reserved["status"], "queued");
  EXPECT_EQ(reserved["size"], "0");
  auto later = random_file("later.img", 4096);
  auto filled = parse_cli_table(glance_tty("image-update --file " + later + " " + reserved["id"]));
  EXPECT_EQ(filled["status"], "active");
  EXPECT_EQ(filled["size"], "4096");
  EXPECT_EQ(filled["checksum"], md5_of_file(later));

  auto shown = parse_cli_table(glance("image-show " + id));
  EXPECT_EQ(shown["name"], "cirros");
  EXPECT_EQ(shown["disk_format"], "qcow2");
  EXPECT_EQ(shown["container_format"], "bare");
  EXPECT_EQ(shown["Property 'foo'"], "bar");
  EXPECT_EQ(shown["checksum"], md5_of_file(file));

  // Pages of two: the second page comes by marker.
  auto listed = glance("image-list --sort-key name --sort-dir desc --page-size 2");
  auto cirros_at = listed.find("| cirros"), piped_at = listed.find("| piped"),
       reserved_at = listed.find("| reserved");
  ASSERT_NE(cirros_at, std::string::npos) << listed;
  ASSERT_NE(piped_at, std::string::npos) << listed;
  ASSERT_NE(reserved_at, std::string::npos) << listed;
  EXPECT_LT(reserved_at, piped_at) << listed;
  EXPECT_LT(piped_at, cirros_at) << listed;
  EXPECT_NE(listed.find(id), std::string::npos);

  auto updated = parse_cli_table(
      glance_tty("image-update --name renamed --property foo=baz --purge-props " + id));
  EXPECT_EQ(updated["name"], "renamed");
  EXPECT_EQ(updated["Property 'foo'"], "baz");
  EXPECT_EQ(updated["status"], "active");

  std::string downloaded = dir_ + "/downloaded.img";
  EXPECT_EQ(glance("image-download --file " + downloaded + " " + id), "");
  EXPECT_EQ(std::filesystem::file_size(downloaded), size);
  EXPECT_EQ(md5_of_file(downloaded), md5_of_file(file));

  EXPECT_EQ(glance("image-delete " + id), "");
  auto after = glance("image-list");
  EXPECT_EQ(after.find(id), std::string::npos) << after;
  EXPECT_NE(after.find("| piped"), std::string::npos) << after;
}

TEST_F(GlanceClient, Members) {
  auto created = parse_cli_table(glance(
      "image-create --name shared --disk-format raw --container-format bare --is-public False"));
  std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(created["is_public"], "False");
  EXPECT_EQ(glance("member-create " + id + " tenant2"), "");
  EXPECT_EQ(glance("member-create --can-share " + id + " tenant3"), "");
  auto members = glance("member-list --image-id " + id);
  // Rows of "| Image ID | Member ID | Can Share |"; the CLI prints a false can_share empty.
  static const std::regex row(R"(^\|[ ]*(\S+)[ ]*\|[ ]*(\S+)[ ]*\|[ ]*(\S*)[ ]*\|$)");
  std::map<std::string, std::string> can_share;
  std::istringstream lines(members);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row) || m[1] == "Image") continue;
    EXPECT_EQ(m[1], id) << members;
    can_share[m[2]] = m[3];
  }
  EXPECT_EQ(can_share.size(), 2u) << members;
  EXPECT_EQ(can_share["tenant2"], "") << members;
  EXPECT_EQ(can_share["tenant3"], "True") << members;
  EXPECT_EQ(glance("member-delete " + id + " tenant2"), "");
  members = glance("member-list --image-id " + id);
  EXPECT_EQ(members.find("tenant2"), std::string::npos) << members;
  EXPECT_NE(members.find("tenant3"), std::string::npos) << members;
}

// --copy-from and --location, with the api's http store and a source on loopback (allowed
// explicitly: the default policy refuses loopback for copy_from).
TEST_F(GlanceClient, CopyFromAndLocation) {
  SourceServer source;
  std::string data(2 * 1024 * 1024 + 5, '\0');
  std::mt19937_64 rng(7);
  for (auto& c : data) c = static_cast<char>(rng());
  source.put("/cirros.img", data);
  env_ = std::make_unique<ApiEnvironment>(false, "external_source_allowed_hosts = 127.0.0.1\n",
                                          "stores = file, http\n");
  cli_ = glance_cli("http", env_->api().port(), "--os-auth-token fake");
  std::ofstream(dir_ + "/expected.img", std::ios::binary) << data;

  auto copied =
      parse_cli_table(glance("image-create --name copied --disk-format raw "
                             "--container-format bare --copy-from " +
                             source.url("/cirros.img")));
  ASSERT_TRUE(copied.count("id"));
  EXPECT_EQ(copied["status"], "queued");
  std::map<std::string, std::string> shown;
  // Each CLI call takes seconds of its own.
  eventually(
      [&] {
        shown = parse_cli_table(glance("image-show " + copied["id"]));
        return shown["status"] != "queued" && shown["status"] != "saving";
      },
      std::chrono::seconds(90));
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["checksum"], md5_of_file(dir_ + "/expected.img"));
  glance("image-download --file " + dir_ + "/copied.img " + copied["id"]);
  EXPECT_EQ(md5_of_file(dir_ + "/copied.img"), md5_of_file(dir_ + "/expected.img"));

  auto located =
      parse_cli_table(glance("image-create --name located --disk-format raw "
                             "--container-format bare --location " +
                             source.url("/cirros.img")));
  EXPECT_EQ(located["status"], "active");
  EXPECT_EQ(located["size"], std::to_string(data.size()));
  EXPECT_FALSE(located.count("location"));
  glance("image-download --file " + dir_ + "/located.img " + located["id"]);
  EXPECT_EQ(md5_of_file(dir_ + "/located.img"), md5_of_file(dir_ + "/expected.img"));
}

}  // namespace
}  // namespace glance::testing
