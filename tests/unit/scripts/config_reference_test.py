#!/usr/bin/python3
"""scripts/config-reference.py against stand-in programs: it must refuse an option read
without a description and a description of an option no program reads, and lay out the
descriptions it is given."""

import os
import stat
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCRIPT = os.path.join(ROOT, "scripts", "config-reference.py")

PROGRAMS = {
    "src/api/glance-api": [
        ("DEFAULT", "bind_port", "integer", "9292", "0", "65535", "The port."),
        ("DEFAULT", "scrub_time", "accepted", "", "", "", "Seconds before scrubbing."),
    ],
    "src/registry/glance-registry": [
        ("DEFAULT", "bind_port", "integer", "9191", "0", "65535", "The port."),
    ],
    "src/api/glance-scrubber": [
        ("DEFAULT", "bind_port", "integer", "9292", "0", "65535", "The port."),
        ("DEFAULT", "scrub_time", "integer", "0", "0", "", "Seconds before scrubbing."),
        ("DEFAULT", "wakeup_time", "integer", "300", "1", "", "Seconds between passes."),
    ],
    "src/api/glance-cache-prefetcher": [
        ("DEFAULT", "bind_port", "integer", "9292", "0", "65535", "The port."),
    ],
    "src/registry/glance-manage": [
        ("database", "connection", "string", "", "", "", "The database."),
    ],
}
TABLE = [
    ("DEFAULT", "bind_port", "The port."),
    ("DEFAULT", "scrub_time", "Seconds before scrubbing."),
    ("DEFAULT", "wakeup_time", "Seconds between passes."),
    ("database", "connection", "The database."),
]


def write_program(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\ncat <<'END'\n")
        f.writelines("\t".join(fields) + "\n" for fields in lines)
        f.write("END\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


class ConfigReference(unittest.TestCase):
    def build(self, programs=PROGRAMS, table=TABLE):
        build = tempfile.mkdtemp(prefix="config-reference-")
        self.addCleanup(subprocess.run, ["rm", "-rf", build])
        for path, lines in programs.items():
            write_program(os.path.join(build, path), lines)
        if table is not None:
            write_program(os.path.join(build, "tests", "list-option-descriptions"), table)
        return build

    def run_script(self, build, *args):
        return subprocess.run(
            [sys.executable, SCRIPT, build, *args], capture_output=True, text=True
        )

    def test_lays_out_each_option_with_its_description(self):
        out = self.run_script(self.build())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("| `bind_port` | integer | `9191` | 0 to 65535 | The port. |", out.stdout)
        self.assertIn("| option | type | default | range | description |", out.stdout)
        scrubber = out.stdout.split("## glance-scrubber")[1].split("## glance-cache")[0]
        # Its own option, and the one glance-api reads otherwise; not glance-api's bind_port.
        self.assertIn("`wakeup_time` | integer | `300` | at least 1 | Seconds between", scrubber)
        self.assertIn("`scrub_time` | integer | `0` | at least 0 | Seconds before", scrubber)
        self.assertNotIn("bind_port", scrubber)

    def test_refuses_an_option_read_without_description(self):
        programs = dict(PROGRAMS)
        programs["src/registry/glance-registry"] = PROGRAMS["src/registry/glance-registry"] + [
            ("database", "max_pool_size", "integer", "8", "1", "256", "")
        ]
        out = self.run_script(self.build(programs))
        self.assertEqual(out.returncode, 1)
        self.assertIn(
            "glance-registry reads [database] max_pool_size, which has no description", out.stderr
        )
        self.assertEqual(out.stdout, "")

    def test_refuses_a_description_no_program_reads(self):
        table = TABLE + [("glance_store", "swift_store_gone", "Once read.")]
        out = self.run_script(self.build(table=table), "--check")
        self.assertEqual(out.returncode, 1)
        self.assertIn("describes [glance_store] swift_store_gone, which no program reads", out.stderr)

    def test_refuses_without_the_description_table(self):
        out = self.run_script(self.build(table=None))
        self.assertEqual(out.returncode, 1)
        self.assertIn("list-option-descriptions is missing", out.stderr)

    def test_refuses_a_listing_without_its_description_column(self):
        programs = dict(PROGRAMS)
        programs["src/registry/glance-manage"] = [("database", "connection", "string", "", "", "")]
        out = self.run_script(self.build(programs))
        self.assertEqual(out.returncode, 1)
        self.assertIn("unexpected --list-options line", out.stderr)

    def test_check_fails_with_a_diff_when_the_page_differs(self):
        # The stand-ins read four options; docs/configuration.md lists the real programs'.
        out = self.run_script(self.build(), "--check")
        self.assertEqual(out.returncode, 1)
        self.assertIn("docs/configuration.md differs from what the programs read", out.stdout)
        self.assertIn("+| `wakeup_time` | integer | `300` | at least 1 |", out.stdout)


if __name__ == "__main__":
    unittest.main()
