"""age passphrase files written at a chosen scrypt cost (the test suite's key stores) are real age files:
pyrage, which unlocks every key store, and the stock `age` tool both open them, and only with the
passphrase. The program's own key files are sealed by pyrage at age's cost (tests/cli/test_cli_process.py)."""

from __future__ import annotations

import os
import shutil
import sys

import pyrage
import pytest

from xinfang_desktop.sync.age_passphrase import encrypt

PASSPHRASE = "西湖街道 correct horse"


@pytest.mark.parametrize("size", [0, 1, 100, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000])
def test_pyrage_opens_it_only_with_the_passphrase(size):
    data = os.urandom(size)
    sealed = encrypt(data, PASSPHRASE, log_n=2)
    assert sealed.startswith(b"age-encryption.org/v1\n-> scrypt ") and sealed.split(b"\n")[1].endswith(b" 2")
    assert pyrage.passphrase.decrypt(sealed, PASSPHRASE) == data
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(sealed, PASSPHRASE + "x")


def test_a_changed_byte_anywhere_is_refused():
    sealed = encrypt(b"signing seed and identity", PASSPHRASE, log_n=1)
    for i in range(0, len(sealed)):
        changed = bytearray(sealed)
        changed[i] ^= 0x01
        try:
            out = pyrage.passphrase.decrypt(bytes(changed), PASSPHRASE)
        except pyrage.DecryptError:
            continue
        # a flipped bit in base64 padding bits can decode to the same bytes; anything read must be intact
        assert out == b"signing seed and identity", i


def test_each_file_has_its_own_salt_and_key():
    a, b = encrypt(b"x", PASSPHRASE, log_n=1), encrypt(b"x", PASSPHRASE, log_n=1)
    assert a != b and a.split(b"\n")[1] != b.split(b"\n")[1]


@pytest.mark.parametrize("log_n", [0, 31])
def test_a_cost_out_of_range_is_refused(log_n):
    with pytest.raises(ValueError):
        encrypt(b"x", PASSPHRASE, log_n=log_n)


@pytest.mark.skipif(sys.platform == "win32" or shutil.which("age") is None,
                    reason="the stock age tool (scripts/setup.sh installs it) on a POSIX terminal")
def test_the_stock_age_tool_opens_it(tmp_path):
    """age reads a passphrase only from a terminal: it is given one (a pseudo-terminal)."""
    import pty

    try:                                           # a chroot without /dev/pts has no pseudo-terminals
        for end in os.openpty():
            os.close(end)
    except OSError as exc:
        pytest.skip(f"no pseudo-terminal here ({exc}); age cannot be asked for a passphrase")
    secret = "秘密 signing seed".encode("utf-8")
    (tmp_path / "k.age").write_bytes(encrypt(secret, "pass-word-1", log_n=4))
    pid, fd = pty.fork()
    if pid == 0:                                   # the child: age, on the pseudo-terminal
        os.execvp("age", ["age", "--decrypt", "-o", str(tmp_path / "out"), str(tmp_path / "k.age")])
    said = b""
    while b"passphrase" not in said.lower():
        chunk = os.read(fd, 1024)
        assert chunk, said
        said += chunk
    os.write(fd, b"pass-word-1\n")
    try:
        while os.read(fd, 1024):
            pass
    except OSError:                                # the terminal closes when age exits
        pass
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (tmp_path / "out").read_bytes() == secret
