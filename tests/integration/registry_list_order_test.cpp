// Registry list order and paging checked against the one-query definition of a list: the
// registry reads a list as a union of index ranges (public, the caller's own, shared with the
// caller, one per visibility), and every page must be the rows that a single query with the
// whole visibility rule in one WHERE, ordered by the NULL-coalesced sort key, created_at and
// id, gives after the marker. The images have ties on every sort key and on created_at, NULL
// names, sizes, formats and updated_at, images in two arms at once (the caller's own public
// ones; the caller's own shared one the caller is a member of), a deleted membership, a
// pending one, a killed image, a hidden one and a deleted one used as a marker.

#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace glance::testing {
namespace {

using nlohmann::json;
using Ids = std::vector<std::string>;

constexpr const char* kSortKeys[] = {"name", "status", "container_format", "disk_format",
                                     "size", "id",     "created_at",       "updated_at"};

// The order expression of a sort key, as a list defines it.
std::string order_expression(const std::string& key) {
  if (key == "name" || key == "container_format" || key == "disk_format")
    return "COALESCE(" + key + ", '')";
  if (key == "size") return "COALESCE(size, 0)";
  if (key == "updated_at") return "COALESCE(updated_at, created_at)";
  return key;
}

// ORDER BY for `key` then created_at and id, all `dir`.
std::string order_by(const std::string& key, const std::string& dir) {
  std::string out = order_expression(key) + " " + dir;
  if (key != "created_at" && key != "id") out += ", created_at " + dir;
  if (key != "id") out += ", id " + dir;
  return out;
}

class RegistryListOrder : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() {
    start_shared_registry(kTrustedAuth);
    guarded_suite_setup(seed, &setup_error_);
  }

  static std::string create(const std::string& tenant, json image) {
    auto r = as(tenant).post("/v2/images", json{{"image", image}}.dump());
    if (r.status != 200u) throw std::runtime_error("create: " + r.body);
    return r.json()["image"]["id"].get<std::string>();
  }
  static void share(const std::string& owner, const std::string& id, const std::string& member) {
    auto r = as(owner).put("/images/" + id + "/members/" + member, "");
    if (r.status != 204u) throw std::runtime_error("share: " + r.body);
  }
  static std::string sql(const std::string& statement) {
    return MariadbServer::instance().sql(statement, env_->database());
  }

  static void seed() {
    auto img = [](const char* vis, json fields) {
      fields["visibility"] = vis;
      return fields;
    };
    // t1's own public images (in the public and the owner arm), tied on name and size.
    create("t1",
           img("public",
               {{"name", "a"}, {"size", 5}, {"disk_format", "raw"}, {"container_format", "bare"}}));
    create("t1", img("public", {{"name", "a"}, {"size", 5}}));
    create("t1", img("public", {{"name", "A"}, {"size", 0}, {"disk_format", "qcow2"}}));
    create("t1", img("private", {{"disk_format", "raw"}}));  // no name, no size
    // t1's own shared image with t1 itself as a member (the owner and the member arm).
    own_shared_ = create("t1", img("shared", {{"name", "own-shared"}, {"size", 9}}));
    share("t1", own_shared_, "t2");
    sql("INSERT INTO image_members (image_id, member, can_share, status, created_at, deleted) "
        "VALUES ('" +
        own_shared_ + "', 't1', 0, 'accepted', UTC_TIMESTAMP(6), 0)");
    create("t2", img("public", {{"name", ""}, {"size", 0}, {"container_format", "ovf"}}));
    auto shared_b = create("t2", img("shared", {{"name", "B"}, {"size", 7}}));
    share("t2", shared_b, "t1");
    auto shared_pending = create("t2", img("shared", {{"name", "b"}, {"size", 7}}));
    share("t2", shared_pending, "t1");
    create("t2", img("private", {{"name", "c"}}));
    auto unshared = create("t3", img("shared", {{"name", "e"}, {"size", 1}}));
    share("t3", unshared, "t1");
    EXPECT_EQ(as("t3").del("/images/" + unshared + "/members/t1").status, 204u);
    create("t3", img("community", {{"name", "g"}, {"size", 3}}));
    create("t1", img("community", {{"name", "g"}, {"size", 3}}));
    killed_ = create("t2", img("public", {{"name", "k"}}));
    create("t3", img("public", {{"name", "hidden"}, {"os_hidden", true}}));
    deleted_ = create("t3", img("public", {{"name", "d"}, {"size", 4}}));
    for (int i = 0; i < 5; ++i)
      create("t3", img(i % 2 ? "public" : "shared", {{"name", "tie"}, {"size", 2}}));
    // Members accept except for one; ties on created_at, updated_at NULL on about half.
    sql("UPDATE image_members SET status = 'accepted' WHERE image_id <> '" + shared_pending + "'");
    sql("UPDATE images SET status = 'killed' WHERE id = '" + killed_ + "'");
    sql("UPDATE images SET created_at = TIMESTAMP '2026-01-01 00:00:00' + "
        "INTERVAL CONV(SUBSTR(id, 1, 1), 16, 10) % 3 SECOND");
    sql("UPDATE images SET updated_at = IF(CONV(SUBSTR(id, 2, 1), 16, 10) < 8, NULL, "
        "created_at + INTERVAL CONV(SUBSTR(id, 3, 1), 16, 10) % 2 SECOND)");
    sql("UPDATE images SET status = 'queued' WHERE CONV(SUBSTR(id, 4, 1), 16, 10) < 4 AND "
        "status = 'active'");
    EXPECT_EQ(as("t3").del("/images/" + deleted_).status, 200u);
  }

  // Image ids in the order of `order`, among those `where` selects, plus the marker (a
  // deleted or killed one is a valid marker though not listed).
  static Ids expected(const std::string& where, const std::string& order,
                      const std::string& marker = "") {
    std::string extra = marker.empty() ? "" : " OR id = '" + marker + "'";
    std::istringstream out(
        sql("SELECT id FROM images WHERE (" + where + ")" + extra + " ORDER BY " + order));
    Ids ids;
    for (std::string line; std::getline(out, line);) ids.push_back(line);
    return ids;
  }

  static Ids listed(const HttpResponse& r) {
    Ids out;
    EXPECT_EQ(r.status, 200u) << r.body;
    if (r.status != 200u) return out;
    for (const auto& i : json_field(r, "images")) out.push_back(i["id"]);
    return out;
  }

  // Walks every page of `path` (limit 2), then asks for the page after each image as marker
  // and after `extra_marker`, comparing each with the one-query definition.
  static void check_paging(const HttpClient& c, const std::string& path, const std::string& where,
                           const std::string& order, const std::string& extra_marker = "") {
    SCOPED_TRACE(path);
    Ids all = expected(where, order);
    Ids walked;
    std::string marker;
    for (size_t page = 0; page <= all.size(); ++page) {
      auto got = listed(c.get(path + "&limit=2" + (marker.empty() ? "" : "&marker=" + marker)));
      walked.insert(walked.end(), got.begin(), got.end());
      if (got.size() < 2) break;
      marker = got.back();
    }
    EXPECT_EQ(walked, all);
    Ids markers = all;
    if (!extra_marker.empty()) markers.push_back(extra_marker);
    for (const auto& m : markers) {
      Ids around = expected(where, order, m);
      auto at = std::find(around.begin(), around.end(), m);
      Ids next(at + 1, std::min(at + 4, around.end()));
      EXPECT_EQ(listed(c.get(path + "&limit=3&marker=" + m)), next) << "marker " << m;
    }
  }

  static inline std::string own_shared_, killed_, deleted_;
};

constexpr const char* kLive = "deleted = 0 AND status <> 'killed'";

std::string v1_visible(const std::string& tenant) {
  return std::string(kLive) + " AND (visibility = 'public' OR owner = '" + tenant +
         "' OR (visibility = 'shared' AND EXISTS (SELECT 1 FROM image_members m WHERE "
         "m.image_id = images.id AND m.member = '" +
         tenant + "' AND m.deleted = 0)))";
}

TEST_F(RegistryListOrder, V1TenantPagesMatchTheSingleQueryForEverySortKey) {
  for (const char* tenant : {"t1", "t2", "t4"})
    for (const char* key : kSortKeys)
      for (const char* dir : {"asc", "desc"})
        check_paging(as(tenant), std::string("/images/detail?sort_key=") + key + "&sort_dir=" + dir,
                     v1_visible(tenant), order_by(key, dir));
}

TEST_F(RegistryListOrder, V1AdminPagesMatchTheSingleQuery) {
  auto admin = as("adm", "admin");
  for (const char* key : kSortKeys)
    for (const char* dir : {"asc", "desc"}) {
      std::string q = std::string("sort_key=") + key + "&sort_dir=" + dir;
      check_paging(admin, "/images/detail?is_public=none&" + q, kLive, order_by(key, dir), killed_);
      check_paging(admin, "/images/detail?is_public=false&" + q,
                   std::string(kLive) + " AND visibility <> 'public'", order_by(key, dir));
      check_paging(admin, "/images/detail?" + q, std::string(kLive) + " AND visibility = 'public'",
                   order_by(key, dir));
    }
}

TEST_F(RegistryListOrder, V1FiltersApplyToEveryArm) {
  check_paging(as("t1"), "/images/detail?sort_key=name&sort_dir=asc&size_min=5",
               v1_visible("t1") + " AND size >= 5", order_by("name", "asc"));
  // Deleted and killed images too; an admin, for whom a deleted image is a valid marker.
  check_paging(as("adm", "admin"),
               "/images/detail?is_public=none&changes-since=2000-01-01T00:00:00",
               "updated_at > '2000-01-01'", order_by("created_at", "desc"));
  check_paging(as("t1"), "/images/detail?sort_key=size&sort_dir=asc&property-x=1",
               v1_visible("t1") + " AND 0 = 1", order_by("size", "asc"));
}

TEST_F(RegistryListOrder, ADeletedImageIsAMarkerForAdminsOnly) {
  // A tenant cannot see a deleted image, so it is no marker (as before lists were split).
  auto r = as("t1").get("/images/detail?sort_key=name&sort_dir=asc&marker=" + deleted_);
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("Invalid marker"), std::string::npos) << r.body;
  EXPECT_EQ(as("t1").get("/v2/images/detail?marker=" + deleted_).status, 400u);
  // A killed image is listed to nobody but is a marker for its visible peers.
  check_paging(as("t1"), "/images/detail?sort_key=name&sort_dir=asc", v1_visible("t1"),
               order_by("name", "asc"), killed_);
}

TEST_F(RegistryListOrder, AnImageInTwoArmsIsListedOnce) {
  auto ids = listed(as("t1").get("/images/detail?limit=100"));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), own_shared_), 1);
  Ids sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_EQ(ids.size(), expected(v1_visible("t1"), "id").size());
}

std::string v2_visible(const std::string& tenant, const std::string& member_status) {
  std::string status = member_status == "all" ? "" : " AND m.status = '" + member_status + "'";
  return std::string(kLive) +
         " AND os_hidden = 0 AND (visibility IN ('public', 'community') OR owner = '" + tenant +
         "' OR (visibility = 'shared' AND EXISTS (SELECT 1 FROM image_members m WHERE "
         "m.image_id = images.id AND m.member = '" +
         tenant + "' AND m.deleted = 0" + status + ")))";
}

TEST_F(RegistryListOrder, V2PagesMatchTheSingleQuery) {
  std::string not_others_community = " AND (owner = 't1' OR visibility <> 'community')";
  for (const char* key : kSortKeys)
    for (const char* dir : {"asc", "desc"}) {
      std::string q = std::string("sort_key=") + key + "&sort_dir=" + dir;
      check_paging(as("t1"), "/v2/images/detail?" + q,
                   v2_visible("t1", "accepted") + not_others_community, order_by(key, dir),
                   killed_);
    }
  check_paging(as("t1"), "/v2/images/detail?member_status=all&visibility=shared",
               v2_visible("t1", "all") + " AND visibility = 'shared'",
               order_by("created_at", "desc"));
  check_paging(as("t1"), "/v2/images/detail?member_status=pending",
               v2_visible("t1", "pending") + not_others_community, order_by("created_at", "desc"));
  check_paging(as("t2"), "/v2/images/detail?visibility=community&sort_key=name&sort_dir=asc",
               v2_visible("t2", "accepted") + " AND visibility = 'community'",
               order_by("name", "asc"));
  check_paging(as("adm", "admin"), "/v2/images/detail?sort_key=size&sort_dir=asc",
               std::string(kLive) +
                   " AND os_hidden = 0 AND (owner = 'adm' OR visibility <> "
                   "'community')",
               order_by("size", "asc"));
  check_paging(as("adm", "admin"), "/v2/images/detail?visibility=community",
               std::string(kLive) + " AND os_hidden = 0 AND visibility = 'community'",
               order_by("created_at", "desc"));
  // Mixed directions: no index serves the order, the merge still must.
  check_paging(as("t1"), "/v2/images/detail?sort=name:asc,size:desc",
               v2_visible("t1", "accepted") + not_others_community,
               "COALESCE(name, '') ASC, COALESCE(size, 0) DESC, created_at DESC, id DESC");
}

// With enough rows for the optimizer to care, the arms' shapes walk their indexes in order
// and stop at the page: no filesort.
class RegistryListPlans : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() {
    start_shared_registry(kTrustedAuth);
    guarded_suite_setup(
        [] {
          sql("INSERT INTO images (id, name, size, status, created_at, updated_at, deleted, "
              "owner, visibility) SELECT CONCAT('00000000-0000-4000-8000-', LPAD(seq, 12, '0')), "
              "CONCAT('n', seq % 100), seq, 'active', TIMESTAMP '2026-01-01 00:00:00' + INTERVAL "
              "seq SECOND, NULL, seq % 50 = 0, CONCAT('t', seq % 100), ELT(1 + seq % 4, 'public', "
              "'private', 'shared', 'community') FROM seq_1_to_20000");
          sql("INSERT INTO image_members (image_id, member, status, created_at, deleted) SELECT "
              "id, 't7', 'accepted', created_at, 0 FROM images WHERE visibility = 'shared' LIMIT "
              "50");
          sql("ANALYZE TABLE images, image_members");
        },
        &setup_error_);
  }
  static std::string sql(const std::string& statement) {
    return MariadbServer::instance().sql(statement, env_->database());
  }
  static std::string plan(const std::string& where, const std::string& order) {
    return sql("EXPLAIN SELECT id FROM images WHERE deleted = 0 AND status <> 'killed' AND " +
               where + " ORDER BY " + order + " LIMIT 25");
  }
};

TEST_F(RegistryListPlans, EachArmWalksItsSortIndex) {
  struct Case {
    std::string where, order, index;
  };
  const Case cases[] = {
      {"visibility = 'public'", "sort_name ASC, created_at ASC, id ASC", "ix_images_vis_name"},
      {"visibility = 'public'", "status DESC, created_at DESC, id DESC", "ix_images_vis_status"},
      {"visibility = 'private'", "sort_size ASC, created_at ASC, id ASC", "ix_images_vis_size"},
      {"visibility = 'shared'", "id ASC", "ix_images_vis_id"},
      {"visibility = 'public'", "sort_updated_at DESC, created_at DESC, id DESC",
       "ix_images_vis_updated"},
      {"owner = 't7'", "sort_size DESC, created_at DESC, id DESC", "ix_images_owner_size"},
      {"owner = 't7'", "created_at DESC, id DESC", "ix_images_owner_created"},
      {"owner = 't7'", "sort_disk_format ASC, created_at ASC, id ASC", "ix_images_owner_disk"},
  };
  for (const auto& c : cases) {
    std::string p = plan(c.where, c.order);
    EXPECT_NE(p.find(c.index), std::string::npos) << c.where << " / " << c.order << "\n" << p;
    EXPECT_EQ(p.find("filesort"), std::string::npos) << c.where << " / " << c.order << "\n" << p;
  }
  // The member arm starts from the caller's memberships.
  std::string members = sql(
      "EXPLAIN SELECT DISTINCT image_id FROM image_members WHERE member = 't7' AND deleted = 0");
  EXPECT_NE(members.find("ix_image_members_member_deleted"), std::string::npos) << members;
}

}  // namespace
}  // namespace glance::testing
