#include "tests/integration/chaos/chaos_end_state.h"

#include "tests/support/mariadb_server.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace glance::testing::chaos {

namespace fs = std::filesystem;

std::map<std::string, StoredImage> inventory(const std::string& database) {
  std::map<std::string, StoredImage> images;
  auto& db = MariadbServer::instance();
  std::istringstream rows(db.sql(
      "SELECT id, status, IFNULL(checksum, '-'), IFNULL(size, -1) FROM images WHERE deleted = 0",
      database));
  for (std::string id, status, checksum, size; rows >> id >> status >> checksum >> size;)
    images[id] = {status, checksum, std::stoll(size), {}};
  std::istringstream locations(
      db.sql("SELECT image_id, value FROM image_locations WHERE deleted = 0", database));
  for (std::string id, value; locations >> id >> value;) images[id].locations.push_back(value);
  return images;
}

std::vector<Finding> layout_findings(const std::string& datadir,
                                     const std::map<std::string, StoredImage>& images) {
  std::vector<Finding> out;
  for (const auto& e : fs::directory_iterator(datadir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".")) {  // ".<id>.<pid>-<n>.partial"
      out.emplace_back(name.substr(1, 36), "partial file " + name + " is left");
      continue;
    }
    auto it = images.find(name);
    const std::string where = "file://" + e.path().string();
    if (it == images.end() || it->second.status != "active" ||
        std::find(it->second.locations.begin(), it->second.locations.end(), where) ==
            it->second.locations.end())
      out.emplace_back(name, "data file " + name + " lacks an active image naming it (status " +
                                 (it == images.end() ? std::string("none") : it->second.status) +
                                 ")");
  }
  for (const auto& [id, image] : images) {
    if (image.status == "saving") out.emplace_back(id, "image " + id + " is still saving");
    if (image.status != "active") continue;
    const std::string file = datadir + "/" + id;
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (image.locations != std::vector<std::string>{"file://" + file})
      out.emplace_back(id, "active image " + id + " names data other than its file");
    else if (ec || static_cast<long long>(size) != image.size)
      out.emplace_back(id,
                       "active image " + id + " of size " + std::to_string(image.size) +
                           " lacks its data file: " + (ec ? ec.message() : std::to_string(size)));
  }
  return out;
}

}  // namespace glance::testing::chaos
