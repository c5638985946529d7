"""`xinfang` commands run inside the test process, through the function the console script calls.

Starting a new Python for every command cost the command-line tests most of their time (about half a
second each before the command did anything). `xinfang()` calls `xinfang_desktop.cli:main(argv)` as the
`xinfang` script does, with the standard streams and environment variables of that one call, and hands
back what a process would: the exit status, stdout and stderr. A few tests still start real processes
(tests/cli/test_cli_process.py): the console script, stdin from a pipe, the bytes of the output.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest

# Variables a command reads; unset unless a call gives them, as in a clean shell.
COMMAND_ENV = ("XINFANG_HOME", "XINFANG_PASSWORD", "XINFANG_RECOVERY_CODE", "XINFANG_PASSPHRASE", "XINFANG_DEBUG",
               "XINFANG_DATABASE_URL")


@dataclass(frozen=True)
class CliResult:
    """What a finished `xinfang` process reports (the names of subprocess.CompletedProcess)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def xinfang(*argv: str | Path, stdin: str | None = None, env: Mapping[str, str | None] | None = None,
            kdf=None) -> CliResult:
    """Run `xinfang ARGV...` in this process. ``stdin`` is what is piped in (nothing when None, as from
    /dev/null); ``env`` sets (or, with None, removes) variables for this call only. Keyring entries the
    command creates use ``kdf`` (default: the suite's cheap parameters), sync key files the suite's cheap
    scrypt."""
    from xinfang_desktop.cli import main

    from tests.conftest import CHEAP_SCRYPT, cheap_kdf

    args = tuple(str(a) for a in argv)
    out, err = io.StringIO(), io.StringIO()
    umask = os.umask(0o022)
    os.umask(umask)
    with pytest.MonkeyPatch.context() as mp:
        for name in COMMAND_ENV:
            mp.delenv(name, raising=False)
        for name, value in (env or {}).items():
            if value is None:
                mp.delenv(name, raising=False)
            else:
                mp.setenv(name, value)
        mp.setattr(sys, "stdin", io.StringIO(stdin or ""))
        mp.setattr(sys, "argv", ["xinfang", *args])
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args), kdf=kdf or cheap_kdf(), scrypt_log_n=CHEAP_SCRYPT)
            except SystemExit as exc:        # argparse: usage errors, --help, --version
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    assert os.umask(umask) == umask, "a command left the process umask changed"
    return CliResult(args, code, out.getvalue(), err.getvalue())
