#include "common/policy/enforcer.h"

#include "common/policy/policy_document.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace glance::common::policy {

namespace fs = std::filesystem;

struct Enforcer::Snapshot {
  RuleSet rules;
  std::string fingerprint;
  std::vector<std::string> sources;
};

namespace {

std::optional<std::string> find_path(const std::string& name, const PolicyConfig& config,
                                     bool directory) {
  std::error_code ec;
  auto fits = [&](const fs::path& p) {
    return directory ? fs::is_directory(p, ec) : fs::is_regular_file(p, ec);
  };
  if (name.empty()) return std::nullopt;
  if (fs::path(name).is_absolute()) return fits(name) ? std::optional(name) : std::nullopt;
  for (const auto& dir : config.search_dirs) {
    fs::path candidate = fs::path(dir) / name;
    if (fits(candidate)) return candidate.string();
  }
  return std::nullopt;
}

// The files to apply, in order: the policy file, then each directory's regular files by name.
std::vector<std::string> policy_files(const PolicyConfig& config) {
  std::vector<std::string> files;
  if (auto file = find_path(config.policy_file, config, false)) files.push_back(*file);
  for (const auto& name : config.policy_dirs) {
    auto dir = find_path(name, config, true);
    if (!dir) continue;
    std::vector<std::string> entries;
    std::error_code ec;
    for (fs::directory_iterator it(*dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) entries.push_back(it->path().string());
    std::sort(entries.begin(), entries.end());
    files.insert(files.end(), entries.begin(), entries.end());
  }
  return files;
}

std::string stamp_of(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) {
    std::error_code ec;
    auto size = fs::file_size(f, ec);
    auto mtime = fs::last_write_time(f, ec).time_since_epoch().count();
    out += f + '|' + std::to_string(ec ? 0 : size) + '|' + std::to_string(ec ? 0 : mtime) + ';';
  }
  return out;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::bad_request("cannot be read");
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPolicyFileBytes)
      return Error::bad_request("longer than " + std::to_string(kMaxPolicyFileBytes) + " bytes");
  }
  if (in.bad()) return Error::bad_request("cannot be read");
  return text;
}

}  // namespace

Enforcer::Enforcer(PolicyConfig config, std::map<std::string, std::string> defaults)
    : config_(std::move(config)), defaults_(std::move(defaults)) {}

std::vector<std::string> policy_search_dirs(const std::vector<std::string>& config_files) {
  std::vector<std::string> dirs;
  for (auto it = config_files.rbegin(); it != config_files.rend(); ++it) {
    auto dir = std::filesystem::path(*it).parent_path().string();
    if (dir.empty()) dir = ".";
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  for (const char* fixed : {"/etc/glance", "/etc"})
    if (std::find(dirs.begin(), dirs.end(), fixed) == dirs.end()) dirs.emplace_back(fixed);
  return dirs;
}

Result<std::unique_ptr<Enforcer>> Enforcer::load(
    PolicyConfig config, const std::map<std::string, std::string>& defaults) {
  std::unique_ptr<Enforcer> enforcer(new Enforcer(std::move(config), defaults));
  auto snapshot = enforcer->read_files();
  if (!snapshot) return snapshot.error();
  enforcer->current_ = std::move(*snapshot);
  return enforcer;
}

Result<std::shared_ptr<const Enforcer::Snapshot>> Enforcer::read_files() const {
  const auto files = policy_files(config_);
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->fingerprint = stamp_of(files);
  RuleSet::Map merged;
  std::map<std::string, std::string> origin;  // rule name -> where it was last written
  for (const auto& [name, text] : defaults_) {
    auto rule = Rule::parse(text);
    if (!rule) return Error::internal("built-in rule " + name + ": " + rule.error().message());
    merged.insert_or_assign(name, std::move(*rule));
    origin[name] = "built-in rule";
  }
  for (const auto& path : files) {
    auto text = read_file(path);
    if (!text) return Error::bad_request("policy file " + path + ": " + text.error().message());
    auto doc = parse_policy_document(*text);
    if (!doc) return Error::bad_request("policy file " + path + ": " + doc.error().message());
    for (auto& [name, rule] : doc->rules) {
      origin[name] = "policy file " + path + ": line " + std::to_string(doc->lines[name]);
      merged.insert_or_assign(name, std::move(rule));
    }
    snapshot->sources.push_back(path);
  }
  if (auto fault = RuleSet::check_references(merged, config_.default_rule))
    return Error::bad_request(origin[fault->first] + ": rule \"" + fault->first +
                              "\": " + fault->second);
  auto rules = RuleSet::build(std::move(merged), config_.default_rule);
  if (!rules) return rules.error();
  snapshot->rules = std::move(*rules);
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

std::string Enforcer::fingerprint() const {
  return stamp_of(policy_files(config_));
}

bool Enforcer::allows(std::string_view action, const Credentials& creds,
                      const Values& target) const {
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  int64_t due = next_check_ns_.load(std::memory_order_relaxed);
  if (now >= due && next_check_ns_.compare_exchange_strong(
                        due, now + std::chrono::nanoseconds(std::chrono::seconds(1)).count()))
    reload_if_changed();
  return rules()->allows(action, creds, target);
}

Result<void> Enforcer::reload() {
  std::lock_guard reloading(reload_mutex_);
  const std::string before = fingerprint();
  auto snapshot = read_files();
  std::lock_guard lock(mutex_);
  if (!snapshot) {
    failed_fingerprint_ = before;  // the caller reports it; the watcher need not again
    return snapshot.error();
  }
  current_ = std::move(*snapshot);
  failed_fingerprint_.reset();
  return {};
}

void Enforcer::reload_if_changed() const {
  std::unique_lock reloading(reload_mutex_, std::try_to_lock);
  if (!reloading) return;  // another thread is at it
  const std::string now = fingerprint();
  {
    std::lock_guard lock(mutex_);
    if (now == current_->fingerprint || now == failed_fingerprint_) return;
  }
  auto snapshot = read_files();
  std::lock_guard lock(mutex_);
  if (!snapshot) {
    // Once per change: the same broken files are not reported again every second.
    failed_fingerprint_ = now;
    spdlog::error("policy not reloaded, the rules in force stay: {}", snapshot.error().message());
    return;
  }
  current_ = std::move(*snapshot);
  failed_fingerprint_.reset();
  spdlog::info("policy reloaded after a change on disk ({} rules)", current_->rules.rules().size());
}

std::shared_ptr<const RuleSet> Enforcer::rules() const {
  std::lock_guard lock(mutex_);
  return std::shared_ptr<const RuleSet>(current_, &current_->rules);
}

std::vector<std::string> Enforcer::sources() const {
  std::lock_guard lock(mutex_);
  return current_->sources;
}

}  // namespace glance::common::policy
