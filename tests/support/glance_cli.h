#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace glance::testing {

// python-glanceclient's v1 CLI (Debian's python3-glanceclient), the client operators use,
// driven through the shell against real daemons.

// The command line of the CLI aimed at the glance-api on `scheme`://127.0.0.1:`port`, with
// `auth_options` ("--os-auth-token fake", or Keystone credentials) appended.
std::string glance_cli(const std::string& scheme, int port, const std::string& auth_options);

// Runs `cli` `args` through the shell with `stdin_redirect`: by default stdin is closed,
// since the CLI uploads whatever a non-terminal stdin holds. Fails the test when the command
// exits non-zero; returns its output either way.
std::string run_glance_cli(const std::string& cli, const std::string& args,
                           const std::string& stdin_redirect = "<&-");
// Like run_glance_cli(), on a pseudo-terminal: image-update refuses any other stdin, and the
// CLI draws its progress bar only there.
std::string run_glance_cli_tty(const std::string& cli, const std::string& args);

// The rows of the "| Property | Value |" table the CLI prints for one image. Lines may end
// in CR when the CLI ran on a pseudo-terminal.
std::map<std::string, std::string> parse_cli_table(const std::string& out);

// The MD5 of the file at `path` in hex, as md5sum prints it.
std::string md5_of_file(const std::string& path);

// Writes `size` pseudo-random bytes (std::mt19937_64 seeded with `seed`) to `path`.
void write_random_file(const std::string& path, size_t size, uint64_t seed);

}  // namespace glance::testing
