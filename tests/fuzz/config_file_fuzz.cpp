// Glance config files. ConfigFile::load reads paths, so the input goes into one memory file
// (created once per process) that load reads through /proc/self/fd.
#include "common/config_file.h"
#include "tests/fuzz/fuzz_check.h"

#include <sys/mman.h>
#include <unistd.h>

using glance::common::ConfigFile;
using glance::fuzz::check;

namespace {

int input_file() {
  static const int fd = memfd_create("config_file_fuzz", 0);
  check(fd >= 0, "memfd_create works");
  return fd;
}

void read_options(ConfigFile& config) {
  (void)config.get_string("DEFAULT", "bind_host", "0.0.0.0");
  (void)config.get_int("DEFAULT", "bind_port", 9292, 0, 65535);
  (void)config.get_bool("DEFAULT", "debug", false);
  (void)config.get_list("glance_store", "stores", {"file"});
  (void)config.get_optional("database", "connection");
  for (const auto& name : config.unknown_options())
    check(!name.empty(), "unknown options have names");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = input_file();
  check(ftruncate(fd, 0) == 0, "the memory file truncates");
  check(pwrite(fd, data, size, 0) == ssize_t(size), "the memory file takes the input");
  auto loaded = ConfigFile::load({"/proc/self/fd/" + std::to_string(fd)});
  auto from_string = ConfigFile::from_string(std::string(glance::fuzz::as_text(data, size)));
  if (loaded) {
    check(loaded->unknown_options() == from_string.unknown_options(),
          "a file and a string of the same text hold the same options");
    read_options(*loaded);
  }
  read_options(from_string);
  for (auto value : {"true", "False", "on", "0", "maybe", ""})
    (void)glance::common::parse_bool_option(value);
  (void)glance::common::parse_bool_option(glance::fuzz::as_text(data, size));
  return 0;
}
