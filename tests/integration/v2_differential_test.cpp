// The Images API v2 side by side with upstream Glance's own: the same sequences of requests
// go to upstream's glance-api (the glance_peer fixture: Debian's, no Keystone, every request
// admin) and to ours (no Keystone either: the unauthenticated context is admin too), and
// their answers must agree once what legitimately differs is masked: ids and timestamps
// chosen by each server, host and port. Status codes, the headers that matter and JSON
// bodies are compared; every difference that remains is named, with its reason, in
// kKnownDifferences below (mirrored in the README, "Differences from upstream v2"), and a
// listed difference that no longer shows fails the run too, so the list stays true.

#include "tests/support/api_fixture.h"
#include "tests/support/fixture_env.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

namespace glance::testing {
namespace {

using nlohmann::json;

// One difference between upstream's answer and ours that is accepted. `step` is a step's
// label ("group/step"), "group/*" for every step of a group, or "*" for every step; `what`
// names the part of the answer: "status", "header:NAME" (lower case), "body" (a text body),
// "body:/json/pointer" (array indices as "*"; a key missing on one side shows at its own
// path), "*" for all of them, or one of the normalisations that run before the comparison
// (see normalise below): "error-explanation", "jsonschema-detail", "empty-204-headers".
struct KnownDifference {
  const char* step;
  const char* what;
  const char* reason;
};

// The ONE list of accepted differences (README: "Differences from upstream v2").
// "Zed" differences come from upstream being Debian 12's Glance (Zed), newer than the
// Queens-level v2 (v2.6) built here.
const std::vector<KnownDifference> kKnownDifferences = {
    // Every answer.
    {"*", "error-explanation",
     "errors answered before a v2 handler runs (unknown routes, wrong methods) carry WebOb's "
     "generic explanation before the message, as v1's do: that rendering is shared with v1 "
     "and the registry"},
    {"*", "jsonschema-detail",
     "upstream's jsonschema appends a dump of the failed schema to its 400s; ours words the "
     "first line alike and stops there"},
    {"*", "empty-204-headers",
     "WebOb sends Content-Type, and Content-Length: 0 on a download, with a 204; ours sends "
     "neither (a 204 has no content)"},
    {"*", "header:openstack-image-import-methods",
     "interoperable import (stage, import) is not built, so ours advertises no methods"},
    {"*", "header:openstack-image-store-ids",
     "multiple stores (enabled_backends) are not built: ours has one default store"},
    // Version documents.
    {"versions/*", "body:/versions", "Zed lists v2.15 to v2.0; ours v2.6 to v2.0"},
    {"versions/v2", "*", "Zed redirects /v2 to /v2/ (a 404 there); ours answers 404 at once"},
    {"versions/v1-images", "*",
     "ours serves v1 (removed upstream after Queens): /v1/images lists images"},
    // Schemas.
    {"schemas/*", "body:/properties/container_format/enum",
     "Zed adds the 'compressed' container format"},
    {"schemas/*", "body:/properties/images/items/properties/container_format/enum",
     "Zed adds the 'compressed' container format"},
    {"schemas/*", "body:/properties/locations/items/properties/validation_data",
     "Zed's location validation_data"},
    {"schemas/*",
     "body:/properties/images/items/properties/locations/items/properties/"
     "validation_data",
     "Zed's location validation_data"},
    {"schemas/*", "body:/properties/stores", "multiple stores are not built"},
    {"schemas/*", "body:/properties/images/items/properties/stores",
     "multiple stores are not built"},
    {"schemas/task", "*", "the tasks API is not built"},
    // Create.
    {"create/public", "*",
     "upstream's publicize_image rule is role:admin, which its unauthenticated context (no "
     "roles) fails; ours lets that context's is_admin pass admin-only rules"},
    {"create-refusals/array", "*",
     "upstream answers a JSON array with a 500 (a bug not copied); ours 400 with the "
     "schema's message"},
    {"create-refusals/deep", "body",
     "ours refuses JSON nested deeper than 32 levels before validating it"},
    {"create-refusals/os-hash-algo", "*",
     "ours refuses os_hash_algo in a create body as read-only (403); Zed ignores it, Queens "
     "stored it as a property"},
    {"create-refusals/os-hash-value", "*",
     "ours refuses os_hash_value in a create body as read-only (403); Zed ignores it, "
     "Queens stored it as a property"},
    {"create-refusals/location", "*",
     "Zed reserves 'location'; Queens, as ours, stores it as an additional property"},
    {"create-refusals/deleted", "body",
     "Zed words this 403 with WebOb's explanation first; Queens with the message alone"},
    {"create-refusals/deleted-at", "body",
     "Zed words this 403 with WebOb's explanation first; Queens with the message alone"},
    {"members/add-to-private", "body",
     "Zed words this 403 'Not allowed to create members for image <id>.'; Queens, as ours, "
     "'Error fetching members of image <id>: Only shared images have members.'"},
    {"info/import", "*",
     "interoperable import is not built: ours answers 404 as upstream does with "
     "enable_image_import off; the peer runs with Zed's default (on)"},
    {"info/stores", "*",
     "ours answers 404 with one store, as upstream does without enabled_backends; the peer "
     "runs with enabled_backends"},
    {"changes/patch-replace-locations-empty", "body",
     "upstream (Queens too) raises this 403 with the text as WebOb's detail, after the generic "
     "explanation, and so does ours; error-explanation drops ours' explanation before the "
     "comparison"},
    {"changes/patch-remove-missing", "body",
     "Zed words this 409 with WebOb's explanation first; Queens with the message alone"},
    {"create-refusals/container-format-unknown", "body",
     "Zed's list of container formats has 'compressed'"},
    {"create-refusals/property-object", "body",
     "upstream quotes the value as a Python dict, ours as JSON"},
    {"create-refusals/property-value-too-long", "*",
     "a value over the database column's 65,535 bytes is a 500 upstream (a bug not "
     "copied), a 400 here"},
    {"create-refusals/property-key-empty", "*",
     "ours refuses an empty property name (it could not be shown as a v1 "
     "x-image-meta-property- header); upstream stores it"},
    // Lists.
    {"list/sort-keys-two", "body:/first",
     "ours keeps repeated parameters in the first and next links; upstream keeps the last "
     "value only, so its next page with two tags filters on one"},
    {"list/two-tags", "body:/first",
     "ours keeps repeated parameters in the first and next links; upstream keeps the last "
     "value only, so its next page with two tags filters on one"},
    {"list/visibility-all", "*", "Zed accepts visibility=all; Queens refuses it, as ours"},
    // Data.
    {"data/wrong-content-type", "body",
     "Zed words the 415 as WebOb; Queens, as ours, 'Invalid content type <type>'"},
    {"data/no-content-type", "body",
     "Zed words the 415 as WebOb; Queens, as ours, 'Invalid content type <type>'"},
    {"data/*", "body:/os_hash_algo",
     "ours hashes with SHA-256 (also shown through v1); upstream's default is SHA-512"},
    {"data/*", "body:/os_hash_value",
     "ours hashes with SHA-256 (also shown through v1); upstream's default is SHA-512"},
    {"data/*", "body:/stores", "multiple stores are not built"},
    {"data/show-active", "body:/virtual_size",
     "Zed computes a raw image's virtual size on upload; ours leaves it null, as Queens"},
    // Routes.
    {"routes/*", "body",
     "ours words a 405 with WebOb's generic explanation; upstream names the method ('The "
     "method PUT is not allowed for this resource.')"},
    {"routes/post-file", "*",
     "Zed routes POST .../file to its JSON deserializer (400); ours has no such route (405)"},
    {"routes/tasks", "*", "the tasks API is not built (upstream: 403 to a context without roles)"},
};

// A run-unique image id: the same on both servers, so that sorts and markers that break
// ties by id agree.
class Ids {
 public:
  Ids() {
    std::random_device rd;
    std::mt19937_64 gen(rd());
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(gen()));
    prefix_ = buf;
  }
  std::string next() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-0000-4000-8000-%012d", prefix_.c_str(), ++n_);
    return buf;
  }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  int n_ = 0;
};

// One server's answers, and the values each of its steps saved (the id it gave an image).
struct Side {
  std::string name;
  HttpClient client;
  std::map<std::string, std::string> vars;
};

struct Answer {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // the compared ones, names in lower case
  bool is_json = false;
  json doc;
  std::string text;
  std::set<std::string> normalised;  // the normalisations that changed this answer
};

// WebOb's generic explanation of each status. Ours writes it before the message of every
// error; upstream's v2 writes the message instead of it (explanation=msg), and the generic
// one only when there is no message.
const std::map<unsigned, std::string> kExplanations = {
    {400,
     "The server could not comply with the request since it is either malformed or "
     "otherwise incorrect."},
    {403, "Access was denied to this resource."},
    {404, "The resource could not be found."},
    {405, "The method is not allowed for this resource."},
    {409, "There was a conflict when trying to complete your request."},
    {413, "The request entity is too large."}};

// The headers compared, in lower case; every "openstack-image-*" header is compared too.
const std::vector<std::string> kComparedHeaders = {"content-type", "location", "allow",
                                                   "content-range", "accept-ranges"};
const std::vector<std::string> kDownloadHeaders = {"content-length", "content-md5"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
const std::regex kTime("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)?");

// A text as compared: the side's saved values as their names, its host as <host>, other
// uuids as <uuid>, timestamps as <time>, runs of white space as one space.
std::string mask(std::string s, const Side& side, int port, const std::string& run) {
  for (const auto& [name, value] : side.vars) s = replace_all(s, value, "<" + name + ">");
  s = replace_all(s, "http://127.0.0.1:" + std::to_string(port), "<host>");
  s = replace_all(s, "127.0.0.1:" + std::to_string(port), "<host>");
  s = replace_all(s, run, "<run>");
  s = std::regex_replace(s, kUuid, "<uuid>");
  s = std::regex_replace(s, kTime, "<time>");
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

json mask_json(const json& j, const Side& side, int port, const std::string& run) {
  if (j.is_string()) return mask(j.get<std::string>(), side, port, run);
  if (j.is_array()) {
    json out = json::array();
    for (const auto& e : j) out.push_back(mask_json(e, side, port, run));
    return out;
  }
  if (j.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : j.items()) {
      auto masked = mask_json(v, side, port, run);
      // Tags are a set: upstream lists them in its set's order.
      if (k == "tags" && masked.is_array() &&
          std::all_of(masked.begin(), masked.end(), [](const json& t) { return t.is_string(); }))
        std::sort(masked.begin(), masked.end());
      out[mask(k, side, port, run)] = std::move(masked);
    }
    return out;
  }
  return j;
}

// The normalisations applied to an error text before it is compared, each a known
// difference of its own: "error-explanation" drops the generic explanation that ours puts
// before a message (so "404 Not Found <explanation> <message>" reads as upstream's
// "404 Not Found <message>"); "jsonschema-detail" drops the dump of the failed schema that
// upstream's jsonschema adds after its message.
void normalise_error(Answer& a, bool ours) {
  if (a.is_json || a.status < 400) return;
  if (ours) {
    auto e = kExplanations.find(a.status);
    if (e != kExplanations.end()) {
      auto at = a.text.find(" " + e->second + " ");
      if (at != std::string::npos) {
        a.text.erase(at, e->second.size() + 1);
        a.normalised.insert("error-explanation");
      }
    }
  } else {
    auto at = a.text.find(" Failed validating '");
    if (at != std::string::npos) {
      a.text.erase(at);
      a.normalised.insert("jsonschema-detail");
    }
  }
}

// A step of a sequence: one request, sent to both servers. In `path`, `body` and header
// values, "{NAME}" is the value the side saved as NAME; `save` saves the answer's "id" as
// NAME.
struct Step {
  std::string label;
  std::string method;
  std::string path;
  std::string body;
  HeaderList headers;
  std::string save;
  bool download = false;
};

const HeaderList kJsonType = {{"Content-Type", "application/json"}};
const HeaderList kOctets = {{"Content-Type", "application/octet-stream"}};

Step get(std::string label, std::string path) {
  return {std::move(label), "GET", std::move(path), "", {}, "", false};
}
Step post_image(std::string label, const json& body, std::string save = "") {
  return {std::move(label), "POST", "/v2/images", body.dump(), kJsonType, std::move(save), false};
}
Step post_raw(std::string label, std::string body, HeaderList h = kJsonType) {
  return {std::move(label), "POST", "/v2/images", std::move(body), std::move(h), "", false};
}
Step del(std::string label, std::string path) {
  return {std::move(label), "DELETE", std::move(path), "", {}, "", false};
}
Step download(std::string label, std::string path, HeaderList h = {}) {
  return {std::move(label), "GET", std::move(path), "", std::move(h), "", true};
}
Step upload(std::string label, std::string path, std::string data, HeaderList h = kOctets) {
  return {std::move(label), "PUT", std::move(path), std::move(data), std::move(h), "", false};
}

std::string expand(std::string s, const Side& side) {
  for (const auto& [name, value] : side.vars) s = replace_all(s, "{" + name + "}", value);
  return s;
}

// JSON pointers with array indices as "*", for the list of known differences.
std::string generic(const std::string& pointer) {
  return std::regex_replace(pointer, std::regex("/[0-9]+(?=/|$)"), "/*");
}

void diff_json(const json& a, const json& b, const std::string& at,
               std::vector<std::pair<std::string, std::string>>& out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    for (const auto& k : keys) {
      const std::string path = at + "/" + k;
      if (!a.contains(k) || !b.contains(k)) {
        out.emplace_back(generic(path), "upstream " + (a.contains(k) ? a[k].dump() : "(none)") +
                                            ", ours " + (b.contains(k) ? b[k].dump() : "(none)"));
        continue;
      }
      diff_json(a[k], b[k], path, out);
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) diff_json(a[i], b[i], at + "/" + std::to_string(i), out);
    return;
  }
  if (a != b) out.emplace_back(generic(at), "upstream " + a.dump() + ", ours " + b.dump());
}

class V2Differential : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    guarded_suite_setup(
        [] {
          FixtureEnv peer("GLANCE_TEST_GLANCE_PEER_DIR", "glance-peer.env",
                          "run through ctest (fixture glance_peer)",
                          "scripts/glance-peer-aio.sh start did not finish");
          peer_port_ = std::stoi(peer.get("GLANCE_PEER_PORT"));
          // No Keystone: every request is admin, as upstream's unauthenticated context.
          ours_ = new ApiEnvironment(false);
        },
        &setup_error_);
  }
  static void TearDownTestSuite() {
    delete ours_;
    ours_ = nullptr;
    // The differences listed for every step must still show somewhere, when every test ran
    // in this process (ctest runs one test per process).
    const auto* unit = ::testing::UnitTest::GetInstance();
    if (unit->test_to_run_count() != unit->total_test_count()) return;
    for (const auto& k : kKnownDifferences)
      if (std::string(k.step) == "*" && !seen_.count(std::string(k.step) + " " + k.what))
        ADD_FAILURE() << "known difference no longer seen (remove it from kKnownDifferences"
                         " and the README): * "
                      << k.what;
  }
  // The differences listed for this test's steps must still show, or the list is stale.
  void TearDown() override {
    for (const auto& k : kKnownDifferences) {
      std::string step = k.step;
      auto slash = step.find('/');
      if (slash == std::string::npos || !groups_.count(step.substr(0, slash))) continue;
      if (!seen_.count(step + " " + k.what))
        ADD_FAILURE() << "known difference no longer seen (remove it from kKnownDifferences"
                         " and the README): "
                      << step << " " << k.what;
    }
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  std::set<std::string> groups_;
  Side upstream_{"upstream", HttpClient(peer_port_), {}};
  Side ours_side_{"ours", HttpClient(ours_ ? ours_->api().port() : 0), {}};

  Answer send(Side& side, int port, const Step& step) {
    HeaderList headers;
    for (const auto& [k, v] : step.headers) headers.emplace_back(k, expand(v, side));
    auto r =
        side.client.request(step.method, expand(step.path, side), headers, expand(step.body, side));
    Answer a;
    a.status = r.status;
    for (const auto& [k, v] : r.headers) {
      auto name = lower(k);
      bool compared = std::find(kComparedHeaders.begin(), kComparedHeaders.end(), name) !=
                          kComparedHeaders.end() ||
                      name.starts_with("openstack-image-");
      // The length of an error's body follows its text, which is compared.
      if (step.download && r.status < 300)
        compared = compared || std::find(kDownloadHeaders.begin(), kDownloadHeaders.end(), name) !=
                                   kDownloadHeaders.end();
      if (compared) a.headers[name] = mask(v, side, port, run_);
    }
    auto parsed = json::parse(r.body, nullptr, false);
    if (!r.body.empty() && !parsed.is_discarded()) {
      if (!step.save.empty() && parsed.is_object() && parsed.contains("id") &&
          parsed["id"].is_string())
        side.vars[step.save] = parsed["id"].get<std::string>();
      a.is_json = true;
      a.doc = mask_json(parsed, side, port, run_);
    } else {
      a.text = step.download && r.status < 300 ? r.body : mask(r.body, side, port, run_);
    }
    normalise_error(a, &side == &ours_side_);
    // "empty-204-headers": upstream's WebOb sends Content-Type (and, on a download,
    // Content-Length: 0) with a 204; neither is compared on a 204.
    if (a.status == 204 && (a.headers.erase("content-type") + a.headers.erase("content-length")))
      a.normalised.insert("empty-204-headers");
    return a;
  }

  static bool step_matches(const std::string& pattern, const std::string& label) {
    if (pattern == "*" || pattern == label) return true;
    return pattern.ends_with("/*") && label.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  // Whether the difference `what` at step `label` is listed; marks the entries that match.
  // A normalisation (`exact`) matches only an entry that names it.
  static bool is_known(const std::string& label, const std::string& what, bool exact = false) {
    bool known = false;
    for (const auto& k : kKnownDifferences) {
      if (step_matches(k.step, label) &&
          ((!exact && std::string(k.what) == "*") || what == k.what)) {
        seen_.insert(std::string(k.step) + " " + k.what);
        known = true;
      }
    }
    return known;
  }

  // Sends the steps to both servers in turn and compares each pair of answers.
  void run(const std::string& group, const std::vector<Step>& steps) {
    groups_.insert(group);
    for (const auto& step : steps) {
      const std::string label = group + "/" + step.label;
      auto up = send(upstream_, peer_port_, step);
      auto us = send(ours_side_, ours_->api().port(), step);
      std::vector<std::pair<std::string, std::string>> diffs;
      if (up.status != us.status)
        diffs.emplace_back("status", "upstream " + std::to_string(up.status) + ", ours " +
                                         std::to_string(us.status));
      std::set<std::string> names;
      for (const auto& [k, v] : up.headers) names.insert(k);
      for (const auto& [k, v] : us.headers) names.insert(k);
      for (const auto& n : names) {
        auto a = up.headers.count(n) ? up.headers[n] : "(none)";
        auto b = us.headers.count(n) ? us.headers[n] : "(none)";
        if (a != b) diffs.emplace_back("header:" + n, "upstream " + a + ", ours " + b);
      }
      if (up.is_json && us.is_json) {
        diff_json(up.doc, us.doc, "body:", diffs);
        for (auto& d : diffs)
          if (d.first.starts_with("body:")) d.first = "body:" + d.first.substr(5);
      } else if (up.is_json != us.is_json || up.text != us.text) {
        auto show = [](const Answer& a) {
          return a.is_json ? a.doc.dump() : a.text.substr(0, 300);
        };
        diffs.emplace_back("body", "upstream " + show(up) + ", ours " + show(us));
      }
      // A normalisation that changed upstream's answer or ours counts as a difference
      // seen, and must be listed.
      for (const auto* a : {&up, &us})
        for (const auto& n : a->normalised)
          if (!is_known(label, n, true)) ADD_FAILURE() << label << " needed the unlisted " << n;
      for (const auto& [what, detail] : diffs) {
        bool known = is_known(label, what);
        if (known) continue;
        ADD_FAILURE() << label << " " << what << ": " << detail;
      }
    }
  }

  static inline int peer_port_ = 0;
  static inline ApiEnvironment* ours_ = nullptr;
  static inline std::string setup_error_;
  static inline std::set<std::string> seen_;
  static inline Ids ids_;
  static inline std::string run_ = ids_.prefix();
};

TEST_F(V2Differential, VersionDocuments) {
  run("versions", {get("root", "/"), get("versions", "/versions"), get("v2", "/v2"),
                   get("v2-slash", "/v2/"), get("v1-images", "/v1/images"),
                   get("v3-images", "/v3/images"), get("v2.5-images", "/v2.5/images?limit=0")});
}

TEST_F(V2Differential, Schemas) {
  run("schemas", {get("image", "/v2/schemas/image"), get("images", "/v2/schemas/images"),
                  get("member", "/v2/schemas/member"), get("members", "/v2/schemas/members"),
                  get("task", "/v2/schemas/task"), get("unknown", "/v2/schemas/nothing"),
                  get("bare", "/v2/schemas")});
}

TEST_F(V2Differential, CreateShowDelete) {
  const std::string chosen = ids_.next();
  run("create",
      {post_image("minimal", json::object(), "a"),
       get("show-minimal", "/v2/images/{a}"),
       post_image("core-fields",
                  {{"id", chosen},
                   {"name", "core"},
                   {"disk_format", "qcow2"},
                   {"container_format", "bare"},
                   {"visibility", "private"},
                   {"protected", false},
                   {"os_hidden", false},
                   {"min_ram", 64},
                   {"min_disk", 2},
                   {"tags", {"b", "a", "b"}}},
                  "b"),
       get("show-core-fields", "/v2/images/{b}"),
       post_image("same-id-again", {{"id", chosen}}),
       post_image("public", {{"name", "pub"}, {"visibility", "public"}}, "c"),
       post_image("community", {{"visibility", "community"}}, "d"),
       post_image("shared", {{"visibility", "shared"}}, "e"),
       post_image("owner", {{"owner", "someone-else"}}, "f"),
       post_image("additional-properties",
                  {{"name", "props"},
                   {"os_distro", "cirros"},
                   {"hw_disk_bus", "virtio"},
                   {"empty", ""},
                   {"kernel_id", "not-a-uuid"}},
                  "g"),
       get("show-additional-properties", "/v2/images/{g}"),
       post_image("nulls",
                  {{"name", nullptr}, {"disk_format", nullptr}, {"container_format", nullptr}},
                  "h"),
       post_image("unicode-name", {{"name", "\xc3\xa9t\xc3\xa9 \xe2\x98\x83"}}, "i"),
       post_image("every-disk-format-ami", {{"disk_format", "ami"}, {"container_format", "ami"}}),
       post_image("iso-ova", {{"disk_format", "iso"}, {"container_format", "ova"}}),
       post_image("max-lengths",
                  {{"name", std::string(255, 'n')}, {"tags", {std::string(255, 't')}}}),
       post_image("big-min-ram", {{"min_ram", 2147483647}}),
       get("show-unknown", "/v2/images/" + ids_.next()),
       get("show-not-uuid", "/v2/images/not-a-uuid"),
       get("show-too-long", "/v2/images/" + std::string(37, 'f')),
       get("show-escaped", "/v2/images/%41%42"),
       del("delete-minimal", "/v2/images/{a}"),
       del("delete-minimal-again", "/v2/images/{a}"),
       get("show-deleted", "/v2/images/{a}"),
       del("delete-unknown", "/v2/images/" + ids_.next()),
       del("delete-not-uuid", "/v2/images/not-a-uuid"),
       post_image("protected", {{"protected", true}}, "p"),
       del("delete-protected", "/v2/images/{p}"),
       get("show-protected", "/v2/images/{p}"),
       del("delete-core-fields", "/v2/images/{b}")});
}

TEST_F(V2Differential, CreateRefusals) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  std::vector<Step> steps = {
      post_raw("empty-body", ""),
      post_raw("truncated-json", "{\"name\": "),
      post_raw("not-utf8", "\xff\xfe"),
      post_raw("array", "[]"),
      post_raw("string", "\"text\""),
      post_raw("number", "5"),
      post_raw("null", "null"),
      post_raw("deep", deep),
      post_raw("trailing-garbage", "{} x"),
      post_raw("duplicate-keys", "{\"name\": \"a\", \"name\": \"b\"}"),
      post_raw("text-plain", "{}", {{"Content-Type", "text/plain"}}),
      post_raw("no-content-type", "{}", {}),
      post_raw("patch-content-type", "{}",
               {{"Content-Type", "application/openstack-images-v2.1-json-patch"}}),
  };
  const std::vector<std::pair<std::string, json>> bodies = {
      {"self", {{"self", "/x"}}},
      {"file", {{"file", "/x"}}},
      {"schema", {{"schema", "/x"}}},
      {"direct-url", {{"direct_url", "x"}}},
      {"status", {{"status", "active"}}},
      {"checksum", {{"checksum", "abc"}}},
      {"size", {{"size", 5}}},
      {"virtual-size", {{"virtual_size", 5}}},
      {"os-hash-algo", {{"os_hash_algo", "sha512"}}},
      {"os-hash-value", {{"os_hash_value", "ab"}}},
      {"created-at", {{"created_at", "2020-01-01T00:00:00Z"}}},
      {"updated-at", {{"updated_at", "2020-01-01T00:00:00Z"}}},
      {"locations", {{"locations", json::array()}}},
      {"location", {{"location", "http://x"}}},
      {"deleted", {{"deleted", "yes"}}},
      {"deleted-at", {{"deleted_at", "x"}}},
      {"is-public", {{"is_public", true}}},
      {"name-number", {{"name", 5}}},
      {"name-too-long", {{"name", std::string(256, 'n')}}},
      {"protected-string", {{"protected", "yes"}}},
      {"protected-null", {{"protected", nullptr}}},
      {"os-hidden-number", {{"os_hidden", 1}}},
      {"min-ram-string", {{"min_ram", "512"}}},
      {"min-ram-negative", {{"min_ram", -1}}},
      {"min-ram-float", {{"min_ram", 1.5}}},
      {"min-ram-null", {{"min_ram", nullptr}}},
      {"min-disk-negative", {{"min_disk", -1}}},
      {"min-ram-too-big", {{"min_ram", 2147483648LL}}},
      {"tags-string", {{"tags", "x86"}}},
      {"tags-null", {{"tags", nullptr}}},
      {"tag-number", {{"tags", {1}}}},
      {"tag-too-long", {{"tags", {std::string(256, 't')}}}},
      {"tag-with-slash", {{"tags", {"a/b"}}}},
      {"visibility-unknown", {{"visibility", "world"}}},
      {"visibility-null", {{"visibility", nullptr}}},
      {"disk-format-unknown", {{"disk_format", "floppy"}}},
      {"disk-format-empty", {{"disk_format", ""}}},
      {"container-format-unknown", {{"container_format", "crate"}}},
      {"id-not-uuid", {{"id", "not-a-uuid"}}},
      {"id-number", {{"id", 5}}},
      {"owner-too-long", {{"owner", std::string(256, 'o')}}},
      {"owner-number", {{"owner", 5}}},
      {"property-number", {{"custom", 7}}},
      {"property-bool", {{"custom", true}}},
      {"property-null", {{"custom", nullptr}}},
      {"property-object", {{"custom", {{"a", "b"}}}}},
      {"property-key-too-long", {{std::string(256, 'k'), "v"}}},
      {"property-value-too-long", {{"custom", std::string(65536, 'v')}}},
      {"property-key-empty", {{"", "v"}}},
  };
  for (const auto& [label, body] : bodies) steps.push_back(post_image(label, body));
  run("create-refusals", steps);
}

TEST_F(V2Differential, ListFiltersSortsAndPages) {
  // Four images of this run's tag (masked as <run>), created a second apart so that the
  // default sort (created_at, then id) orders them alike on both servers.
  std::vector<Step> seed;
  const std::vector<std::tuple<std::string, std::string, std::string, bool>> images = {
      {"l-1", "raw", "private", false},
      {"l-2", "qcow2", "community", true},
      {"l-3", "raw", "community", false},
      {"l-4", "iso", "shared", false}};
  int n = 0;
  for (const auto& [name, disk, visibility, prot] : images) {
    json body = {{"id", ids_.next()},        {"name", name},
                 {"disk_format", disk},      {"container_format", "bare"},
                 {"visibility", visibility}, {"protected", prot},
                 {"tags", {run_}},           {"os_distro", name == "l-3" ? "debian" : "cirros"}};
    if (name == "l-4") body["os_hidden"] = true;
    seed.push_back(post_image("seed-" + name, body, "i" + std::to_string(++n)));
  }
  for (auto& step : seed) {
    run("list", {step});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  const std::string t = "/v2/images?tag=" + run_;
  run("list",
      {get("by-tag", t), get("limit-2", t + "&limit=2"),
       get("limit-1-marker", t + "&limit=1&marker={i3}"), get("marker-last", t + "&marker={i1}"),
       get("limit-0", t + "&limit=0"), get("sort-name-asc", t + "&sort=name:asc"),
       get("sort-name-desc-id", t + "&sort=name:desc,id"),
       get("sort-key-dir", t + "&sort_key=name&sort_dir=asc"),
       get("sort-keys-two", t + "&sort_key=disk_format&sort_key=name&sort_dir=asc&sort_dir=desc"),
       get("sort-disk-format", t + "&sort=disk_format,name:desc"),
       get("sort-size", t + "&sort=size:asc,name"), get("name-in", t + "&name=in:l-1,l-3"),
       get("name-eq", t + "&name=eq:l-2"), get("name-plain", t + "&name=l-2"),
       get("visibility-private", t + "&visibility=private"),
       get("visibility-public", t + "&visibility=public"),
       get("visibility-community", t + "&visibility=community"),
       get("visibility-shared", t + "&visibility=shared"),
       get("visibility-all", t + "&visibility=all"), get("status-queued", t + "&status=queued"),
       get("status-active", t + "&status=active"), get("disk-format", t + "&disk_format=raw"),
       get("disk-format-in", t + "&disk_format=in:iso,qcow2"),
       get("container-format", t + "&container_format=bare"),
       get("protected-true", t + "&protected=true"), get("protected-false", t + "&protected=false"),
       get("os-hidden-true", t + "&os_hidden=true"), get("os-hidden-false", t + "&os_hidden=false"),
       get("property-filter", t + "&os_distro=debian"),
       get("member-status-all", t + "&member_status=all"), get("owner-null", t + "&owner="),
       get("size-min", t + "&size_min=1"), get("size-max", t + "&size_max=100"),
       get("created-at-gt", t + "&created_at=gt:2000-01-01T00:00:00Z"),
       get("created-at-lt", t + "&created_at=lt:2000-01-01T00:00:00Z"),
       get("updated-at-gte", t + "&updated_at=gte:2000-01-01T00:00:00Z"),
       get("two-tags", t + "&tag=other"), get("id-in", t + "&id=in:{i1},{i2}"),
       get("unknown-filter", t + "&colour=blue"),
       // Error paths.
       get("limit-negative", t + "&limit=-3"), get("limit-word", t + "&limit=many"),
       get("limit-float", t + "&limit=1.5"), get("limit-huge", t + "&limit=99999999999999999999"),
       get("marker-unknown", t + "&marker=" + ids_.next()),
       get("marker-not-uuid", t + "&marker=nope"), get("sort-key-unknown", t + "&sort_key=colour"),
       get("sort-key-owner", t + "&sort_key=owner"), get("sort-dir-unknown", t + "&sort_dir=up"),
       get("sort-dir-without-key", t + "&sort_dir=asc"), get("sort-bad-dir", t + "&sort=name:up"),
       get("sort-mixed", t + "&sort=name&sort_dir=asc"), get("sort-empty", t + "&sort="),
       get("sort-key-twice-dir-once",
           t + "&sort_key=name&sort_key=id&sort_dir=asc&sort_dir=desc&sort_dir=asc"),
       get("visibility-unknown", t + "&visibility=everyone"),
       get("member-status-unknown", t + "&member_status=maybe"),
       get("os-hidden-bad", t + "&os_hidden=perhaps"), get("protected-bad", t + "&protected=1"),
       get("size-min-word", t + "&size_min=big"), get("size-max-negative", t + "&size_max=-1"),
       get("created-at-bad-op", t + "&created_at=soon:2020-01-01T00:00:00Z"),
       get("updated-at-bad-time", t + "&updated_at=gt:tomorrow"),
       get("name-bad-op", t + "&name=like:l"),
       get("changes-since", t + "&changes-since=2020-01-01"),
       get("status-unknown", t + "&status=flying"), get("id-bad-op", t + "&id=neq:x")});
}

TEST_F(V2Differential, UploadAndDownload) {
  std::string data;
  for (int i = 0; i < 70000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  const std::string f = "/v2/images/{u}/file";
  run("data",
      {post_image("create",
                  {{"id", ids_.next()}, {"disk_format", "raw"}, {"container_format", "bare"}}, "u"),
       download("queued-download", f),
       upload("wrong-content-type", f, data, kJsonType),
       upload("no-content-type", f, data, {}),
       upload("upload", f, data),
       get("show-active", "/v2/images/{u}"),
       download("download", f),
       download("range-head", f, {{"Range", "bytes=0-9"}}),
       download("range-open", f, {{"Range", "bytes=69990-"}}),
       download("range-suffix", f, {{"Range", "bytes=-5"}}),
       download("range-past-end", f, {{"Range", "bytes=90000-"}}),
       download("range-reversed", f, {{"Range", "bytes=9-5"}}),
       download("range-multi", f, {{"Range", "bytes=0-1,5-6"}}),
       download("range-bad-unit", f, {{"Range", "lines=0-1"}}),
       download("range-garbage", f, {{"Range", "bytes=a-b"}}),
       upload("upload-again", f, "x"),
       post_image("no-formats", json::object(), "v"),
       upload("upload-no-formats", "/v2/images/{v}/file", "x"),
       upload("upload-unknown", "/v2/images/" + ids_.next() + "/file", "x"),
       download("download-unknown", "/v2/images/" + ids_.next() + "/file"),
       post_image("empty", {{"disk_format", "raw"}, {"container_format", "bare"}}, "w"),
       upload("upload-empty", "/v2/images/{w}/file", ""),
       get("show-empty", "/v2/images/{w}"),
       download("download-empty", "/v2/images/{w}/file"),
       del("delete", "/v2/images/{u}"),
       download("download-deleted", f)});
}

TEST_F(V2Differential, UnknownRoutesAndMethods) {
  run("routes", {post_image("create", json::object(), "r"),
                 get("unknown-collection", "/v2/things"),
                 get("unknown-subresource", "/v2/images/{r}/things"),
                 {"put-collection", "PUT", "/v2/images", "{}", kJsonType, "", false},
                 {"delete-collection", "DELETE", "/v2/images", "", {}, "", false},
                 {"post-image", "POST", "/v2/images/{r}", "{}", kJsonType, "", false},
                 {"put-image", "PUT", "/v2/images/{r}", "{}", kJsonType, "", false},
                 {"post-file", "POST", "/v2/images/{r}/file", "x", kOctets, "", false},
                 {"delete-file", "DELETE", "/v2/images/{r}/file", "", {}, "", false},
                 {"post-schema", "POST", "/v2/schemas/image", "{}", kJsonType, "", false},
                 get("tasks", "/v2/tasks")});
}

TEST_F(V2Differential, PatchTagsAndActions) {
  const HeaderList patch = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
  run("changes",
      {post_image("create", {{"name", "changes"}, {"tags", {"t0"}}}, "x"),
       {"patch-name", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/name", "value": "y"}])", patch, "", false},
       {"patch-add-property", "PATCH", "/v2/images/{x}",
        R"([{"op": "add", "path": "/os_distro", "value": "z"}])", patch, "", false},
       {"patch-replace-property", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/os_distro", "value": "zz"}])", patch, "", false},
       {"patch-remove-property", "PATCH", "/v2/images/{x}",
        R"([{"op": "remove", "path": "/os_distro"}])", patch, "", false},
       {"patch-remove-missing", "PATCH", "/v2/images/{x}",
        R"([{"op": "remove", "path": "/os_distro"}])", patch, "", false},
       {"patch-tags", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/tags", "value": ["a", "b"]}])", patch, "", false},
       {"patch-read-only", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/status", "value": "active"}])", patch, "", false},
       {"patch-bad-op", "PATCH", "/v2/images/{x}",
        R"([{"op": "move", "path": "/name", "from": "/id"}])", patch, "", false},
       {"patch-bad-min-ram", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/min_ram", "value": -1}])", patch, "", false},
       {"patch-not-a-list", "PATCH", "/v2/images/{x}", R"({"op": "add"})", patch, "", false},
       {"patch-wrong-type", "PATCH", "/v2/images/{x}", "[]", kJsonType, "", false},
       // Locations, with show_multiple_locations off on both: the schema, then 403.
       {"patch-add-location", "PATCH", "/v2/images/{x}",
        R"([{"op": "add", "path": "/locations/-",
             "value": {"url": "http://127.0.0.1:1/x", "metadata": {}}}])",
        patch, "", false},
       {"patch-replace-locations", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/locations",
             "value": [{"url": "http://127.0.0.1:1/x", "metadata": {}}]}])",
        patch, "", false},
       {"patch-replace-locations-empty", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/locations", "value": []}])", patch, "", false},
       {"patch-remove-location", "PATCH", "/v2/images/{x}",
        R"([{"op": "remove", "path": "/locations/0"}])", patch, "", false},
       {"patch-location-without-url", "PATCH", "/v2/images/{x}",
        R"([{"op": "add", "path": "/locations/-", "value": {"metadata": {}}}])", patch, "", false},
       {"patch-location-url-not-text", "PATCH", "/v2/images/{x}",
        R"([{"op": "add", "path": "/locations/-", "value": {"url": 7, "metadata": {}}}])", patch,
        "", false},
       {"patch-location-metadata-not-object", "PATCH", "/v2/images/{x}",
        R"([{"op": "add", "path": "/locations/-", "value": {"url": "http://a/b", "metadata": []}}])",
        patch, "", false},
       {"patch-location-not-object", "PATCH", "/v2/images/{x}",
        R"([{"op": "replace", "path": "/locations", "value": ["http://a/b"]}])", patch, "", false},
       {"add-tag", "PUT", "/v2/images/{x}/tags/t1", "", {}, "", false},
       {"add-tag-again", "PUT", "/v2/images/{x}/tags/t1", "", {}, "", false},
       {"delete-tag", "DELETE", "/v2/images/{x}/tags/t1", "", {}, "", false},
       {"delete-tag-again", "DELETE", "/v2/images/{x}/tags/t1", "", {}, "", false},
       get("show-changed", "/v2/images/{x}"),
       {"deactivate-queued", "POST", "/v2/images/{x}/actions/deactivate", "", {}, "", false}});
}

TEST_F(V2Differential, MembersAndInfo) {
  run("members",
      {post_image("create", {{"name", "shared"}, {"visibility", "shared"}}, "x"),
       get("list-empty", "/v2/images/{x}/members"),
       {"add", "POST", "/v2/images/{x}/members", R"({"member": "tenant-z"})", kJsonType, "", false},
       {"add-again", "POST", "/v2/images/{x}/members", R"({"member": "tenant-z"})", kJsonType, "",
        false},
       {"add-no-member", "POST", "/v2/images/{x}/members", R"({"members": "tenant-y"})", kJsonType,
        "", false},
       get("list", "/v2/images/{x}/members"),
       get("show", "/v2/images/{x}/members/tenant-z"),
       get("show-missing", "/v2/images/{x}/members/tenant-q"),
       {"accept", "PUT", "/v2/images/{x}/members/tenant-z", R"({"status": "accepted"})", kJsonType,
        "", false},
       {"bad-status", "PUT", "/v2/images/{x}/members/tenant-z", R"({"status": "maybe"})", kJsonType,
        "", false},
       {"remove", "DELETE", "/v2/images/{x}/members/tenant-z", "", {}, "", false},
       {"remove-again", "DELETE", "/v2/images/{x}/members/tenant-z", "", {}, "", false},
       post_image("create-private", {{"name", "private"}, {"visibility", "private"}}, "p"),
       {"add-to-private", "POST", "/v2/images/{p}/members", R"({"member": "tenant-z"})", kJsonType,
        "", false}});
  run("info", {get("import", "/v2/info/import"), get("stores", "/v2/info/stores")});
}

}  // namespace
}  // namespace glance::testing
