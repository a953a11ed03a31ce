// The installed tree: `cmake --install` lays out binaries, configs, systemd units, logrotate,
// sysusers.d and tmpfiles.d; the installed daemons run from the installed configs; a second
// install keeps an edited config; systemd-analyze accepts the units.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string install_into(const std::string& prefix, const std::string& destdir = "") {
  std::string env = destdir.empty() ? "" : "DESTDIR=" + destdir + " ";
  return run_command(env + CMAKE_COMMAND + " --install " + GLANCE_BINARY_DIR + " --prefix " +
                     prefix + " 2>&1");
}

class InstalledTree : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    guarded_suite_setup(
        [] {
          prefix_ = make_temp_dir("glance-prefix");
          install_into(prefix_);
        },
        &setup_error_);
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }
  static fs::path path(const std::string& relative) { return fs::path(prefix_) / relative; }

  static inline std::string prefix_;
  static inline std::string setup_error_;
};

TEST_F(InstalledTree, HasTheDebianStyleLayout) {
  for (const char* f :
       {"bin/glance-registry", "bin/glance-manage", "bin/glance-cache-pruner",
        "bin/glance-cache-cleaner", "bin/glance-cache-prefetcher",
        "etc/glance/glance-registry.conf", "etc/glance/glance-api.conf",
        "etc/glance/glance-scrubber.conf", "etc/logrotate.d/glance",
        "lib/systemd/system/glance-registry.service", "lib/systemd/system/glance-api.service",
        "lib/systemd/system/glance-scrubber.service", "lib/sysusers.d/glance.conf",
        "lib/tmpfiles.d/glance.conf"})
    EXPECT_TRUE(fs::exists(path(f))) << f;
  // The image cache's commands: oneshot services reading the api's file, with their timers.
  for (const std::string job : {"pruner", "cleaner", "prefetcher"}) {
    ASSERT_TRUE(fs::exists(path("lib/systemd/system/glance-cache-" + job + ".timer"))) << job;
    std::string service = read_file(path("lib/systemd/system/glance-cache-" + job + ".service"));
    EXPECT_NE(service.find("ExecStart=" + path("bin/glance-cache-" + job).string() +
                           " --config-file " + path("etc/glance/glance-api.conf").string()),
              std::string::npos)
        << service;
    EXPECT_NE(service.find("Type=oneshot"), std::string::npos) << service;
    EXPECT_NE(service.find("User=glance"), std::string::npos) << service;
    std::string timer = read_file(path("lib/systemd/system/glance-cache-" + job + ".timer"));
    EXPECT_NE(timer.find("Persistent=true"), std::string::npos) << timer;
    EXPECT_NE(timer.find("WantedBy=timers.target"), std::string::npos) << timer;
  }
  std::string unit = read_file(path("lib/systemd/system/glance-registry.service"));
  EXPECT_NE(unit.find("ExecStart=" + path("bin/glance-registry").string() + " --config-file " +
                      path("etc/glance/glance-registry.conf").string()),
            std::string::npos)
      << unit;
  // The scrubber reads the api's file, then its own.
  std::string scrubber = read_file(path("lib/systemd/system/glance-scrubber.service"));
  EXPECT_NE(scrubber.find("ExecStart=" + path("bin/glance-scrubber").string() +
                          " --daemon --config-file " + path("etc/glance/glance-api.conf").string() +
                          " --config-file " + path("etc/glance/glance-scrubber.conf").string()),
            std::string::npos)
      << scrubber;
}

TEST_F(InstalledTree, DaemonsRunFromTheInstalledConfigAndASecondInstallKeepsTheEdit) {
  fs::path config = path("etc/glance/glance-registry.conf");
  // The operator's edit: a database and a loopback listener (port 0: tests never pick ports).
  std::ofstream(config, std::ios::app)
      << "\n[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\n\n[database]\nconnection = "
      << MariadbServer::instance().fresh_database() << "\n";
  std::string edited = read_file(config);

  std::string again = install_into(prefix_);
  EXPECT_NE(again.find("Keeping: " + config.string()), std::string::npos) << again;
  EXPECT_EQ(read_file(config), edited);

  auto [code, out] = Daemon::run(path("bin/glance-manage").string(),
                                 "--config-file " + config.string() + " db_sync");
  ASSERT_EQ(code, 0) << out;
  Daemon registry(path("bin/glance-registry").string(), "");
  registry.layer_under(config.string());
  registry.start();
  EXPECT_EQ(HttpClient(registry.port()).get("/healthcheck").status, 200u);
  EXPECT_EQ(registry.log().find("unknown option"), std::string::npos) << registry.log();
  EXPECT_EQ(registry.stop(), 0);
}

TEST_F(InstalledTree, EveryProgramHasItsManualPageInSection8) {
  size_t programs = 0;
  for (const auto& entry : fs::directory_iterator(path("bin"))) {
    ++programs;
    const std::string name = entry.path().filename().string();
    const fs::path page = path("share/man/man8/" + name + ".8");
    ASSERT_TRUE(fs::exists(page)) << name << " has no manual page";
    const std::string text = read_file(page);
    // Its own page: the title and the NAME line (what whatis and apropos index) name it.
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(text.starts_with(".TH " + upper + " 8 ")) << page;
    EXPECT_NE(text.find("\n.SH NAME\n" + name + " \\- "), std::string::npos) << page;
    // It tells of what every program accepts.
    for (const char* word : {".SH SYNOPSIS", ".SH OPTIONS", ".SH EXIT STATUS", ".SH SEE ALSO",
                             "\\-\\-config\\-file", "\\-\\-list\\-options"})
      EXPECT_NE(text.find(word), std::string::npos) << page << " lacks " << word;
    // man formats it without a warning (-ww: all of groff's warnings; -z: no output).
    EXPECT_EQ(run_command("groff -man -Tutf8 -ww -z " + page.string() + " 2>&1"), "") << page;
    // Every option the program's own usage names is in its page (roff spells - as \-).
    std::string usage = run_command(entry.path().string() + " --help 2>&1");
    // db_purge's options are in the usage glance-manage gives without a command (status 2).
    if (name == "glance-manage")
      usage += run_command(entry.path().string() + " --config-file /dev/null 2>&1 || true");
    static const std::regex option(R"(--[a-z][a-z_-]*)");
    size_t options = 0;
    for (std::sregex_iterator it(usage.begin(), usage.end(), option), end; it != end; ++it) {
      ++options;
      EXPECT_NE(text.find(std::regex_replace(it->str(), std::regex("-"), "\\-")), std::string::npos)
          << page << " lacks " << it->str();
    }
    EXPECT_GE(options, 4u) << usage;  // --help, --version, --config-file, --list-options
  }
  // glance-registry and glance-manage at least; the five glance-api programs when built.
  EXPECT_GE(programs, 2u);
  // No page for a program that is not installed.
  for (const auto& entry : fs::directory_iterator(path("share/man/man8")))
    EXPECT_TRUE(fs::exists(path("bin") / entry.path().stem())) << entry.path();
}

// The rbd driver is a module (store/store_module.h): the installed glance-api loads it, and
// librbd with it, from ${libdir}/glance-cpp only when a store is rbd, and without it refuses
// to start, naming the module.
TEST_F(InstalledTree, TheRbdDriverIsAModuleLoadedOnlyWhenAStoreIsRbd) {
  const fs::path module =
      path(std::string(GLANCE_INSTALL_LIBDIR) + "/glance-cpp/glance-store-rbd.so");
  ASSERT_TRUE(fs::exists(module));
  const std::string images = make_temp_dir("glance-images");
  // No Ceph: the rbd store contacts its cluster at the first transfer, not at start.
  auto config = [&](const std::string& stores) {
    return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nregistry_host = 127.0.0.1\n"
           "registry_port = 9\n[glance_store]\nstores = " +
           stores + "\ndefault_store = file\nfilesystem_store_datadir = " + images +
           "\nrbd_store_ceph_conf = " + images + "/ceph.conf\n";
  };
  auto maps_of = [](const Daemon& d) {
    return read_file("/proc/" + std::to_string(d.pid()) + "/maps");
  };
  {
    Daemon api(path("bin/glance-api").string(), config("file"));
    api.start();
    EXPECT_EQ(maps_of(api).find("librbd"), std::string::npos);
    EXPECT_EQ(maps_of(api).find("glance-store-rbd.so"), std::string::npos);
    EXPECT_EQ(api.stop(), 0);
  }
  {
    Daemon api(path("bin/glance-api").string(), config("file, rbd"));
    api.start();
    EXPECT_NE(maps_of(api).find(module.string()), std::string::npos);
    EXPECT_NE(maps_of(api).find("librbd"), std::string::npos);
    EXPECT_EQ(api.stop(), 0);
  }
  const fs::path aside = module.string() + ".aside";
  fs::rename(module, aside);
  Daemon api(path("bin/glance-api").string(), config("file, rbd"));
  std::string refused;
  try {
    api.start();
  } catch (const std::exception& e) {
    refused = e.what();
  }
  fs::rename(aside, module);
  EXPECT_NE(refused.find("glance-store-rbd.so"), std::string::npos) << refused;
  EXPECT_NE(api.wait_exit(std::chrono::seconds(10)), 0);
}

// The lines of systemd-analyze's output that are not about another installed unit. verify
// also loads the units already on the machine that ours are ordered against or pulled in
// with (multi-user.target's wants), and reports their own faults: Debian's keystone.service,
// for one, orders itself after itself ("keystone.service: Dependency After=keystone.service is
// dropped."). Those are not ours to fix; a line about ours names it by its path.
std::string about_our_units(const std::string& out) {
  static const std::regex foreign(
      R"(^[A-Za-z0-9@_.-]+\.(service|target|socket|mount|timer|path): .*)");
  std::istringstream in(out);
  std::string line, kept;
  while (std::getline(in, line))
    if (line.find("glance-") != std::string::npos || !std::regex_match(line, foreign))
      kept += line + "\n";
  return kept;
}

TEST_F(InstalledTree, SystemdAnalyzeVerifiesEveryUnit) {
  fs::path units = make_temp_dir("glance-units");
  const std::string ours =
      "glance-registry.service glance-api.service glance-scrubber.service "
      "glance-cache-pruner.service glance-cache-pruner.timer glance-cache-cleaner.service "
      "glance-cache-cleaner.timer glance-cache-prefetcher.service glance-cache-prefetcher.timer";
  std::istringstream names(ours);
  std::string args;
  for (std::string unit; names >> unit;) {
    fs::copy_file(path("lib/systemd/system/") / unit, units / unit);
    args += " ./" + unit;
  }
  for (const std::string binary : {"glance-api", "glance-scrubber", "glance-cache-pruner",
                                   "glance-cache-cleaner", "glance-cache-prefetcher"}) {
    if (fs::exists(path("bin/" + binary))) continue;
    // This build has no glance-api yet: verify its units against a binary that exists, since
    // systemd-analyze checks that ExecStart is executable.
    std::string text = read_file(units / (binary + ".service"));
    text = std::regex_replace(text, std::regex("bin/" + binary + " "), "bin/glance-registry ");
    std::ofstream(units / (binary + ".service")) << text;
  }
  // verify warns about unknown keys and bad values without failing: any output about our
  // units is a failure.
  std::string out =
      run_command("cd " + units.string() + " && systemd-analyze verify --man=no" + args + " 2>&1");
  EXPECT_EQ(about_our_units(out), "") << out;
}

TEST(InstallWithDestdir, UsrPrefixPutsConfigsInEtcAndUnitsNameUsrBin) {
  std::string destdir = make_temp_dir("glance-destdir");
  install_into("/usr", destdir);
  fs::path root(destdir);
  EXPECT_TRUE(fs::exists(root / "usr/bin/glance-registry"));
  EXPECT_TRUE(fs::exists(root / "usr/share/man/man8/glance-registry.8"));
  EXPECT_TRUE(fs::exists(root / "etc/glance/glance-registry.conf"));
  EXPECT_TRUE(fs::exists(root / "etc/logrotate.d/glance"));
  std::string unit = read_file(root / "usr/lib/systemd/system/glance-registry.service");
  EXPECT_NE(unit.find("ExecStart=/usr/bin/glance-registry --config-file "
                      "/etc/glance/glance-registry.conf"),
            std::string::npos)
      << unit;
}

}  // namespace
}  // namespace glance::testing
