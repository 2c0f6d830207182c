"""The README tells the truth: its CLI reference is what `flashpoint --help` prints."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from flashpoint.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]


def test_readme_help_block_matches_the_cli() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- help:start -->\n```\n(.*?)```\n<!-- help:end -->", readme, re.S)
    assert block, "README.md lost its help block"
    result = CliRunner().invoke(cli, ["--help"], prog_name="flashpoint", terminal_width=80)
    assert result.exit_code == 0
    assert block.group(1) == result.output, "update README.md's help block to the output of `flashpoint --help`"


def test_readme_set_up_is_two_make_commands_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no {target} target"
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci, ".ci/run must run the README's test command"
