"""Bundle files on the stick: durable writes, disk full, read-back, staging copies, hostile names."""

from __future__ import annotations

import errno
import hashlib
import os
import sys

import pytest

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.sync import files
from xinfang_desktop.sync.bundle import bundle_file_name, parse_bundle
from xinfang_desktop.sync.errors import BundleError
from xinfang_desktop.sync.files import list_bundle_files, read_bundle_file, write_bundle_file


def _can_symlink() -> bool:
    import tempfile

    if not hasattr(os, "symlink"):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        try:
            os.symlink(os.path.join(tmp, "target"), os.path.join(tmp, "link"))
        except (OSError, NotImplementedError):
            return False  # e.g. Windows without the symlink privilege
    return True


needs_symlinks = pytest.mark.skipif(not _can_symlink(), reason="cannot create symbolic links here")


@pytest.fixture(scope="module")
def data(world) -> bytes:
    return world.bundle()


@pytest.fixture
def stick(tmp_path):
    path = tmp_path / "stick"
    path.mkdir()
    return path


def test_write_then_list_and_read(world, data, stick, tmp_path):
    name = bundle_file_name(parse_bundle(data).header)
    assert name == f"{world.town_a.unit_code}_1_00000001.xfb"
    path = write_bundle_file(stick, name, data)
    assert path.read_bytes() == data
    assert sorted(os.listdir(stick)) == [name]
    assert list_bundle_files(stick) == [path]
    staged = read_bundle_file(path, tmp_path / "staging")
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.path.name == f"{staged.sha256}.xfb" and staged.size == len(data)
    assert staged.source_name == name
    path.unlink()  # the stick is gone: the staged copy is all the importer needs
    assert parse_bundle(staged.read()).bundle_id == parse_bundle(data).bundle_id


def test_repeated_identical_write_is_kept(data, stick):
    first = write_bundle_file(stick, "a.xfb", data)
    assert write_bundle_file(stick, "a.xfb", data) == first
    assert os.listdir(stick) == ["a.xfb"]


def test_different_content_under_same_name_is_never_overwritten(data, stick, h):
    (stick / "a.xfb").write_bytes(b"something else")
    with pytest.raises(BundleError) as info:
        write_bundle_file(stick, "a.xfb", data)
    h.assert_refused(info.value, "name_conflict")
    assert (stick / "a.xfb").read_bytes() == b"something else"
    assert os.listdir(stick) == ["a.xfb"]


@pytest.mark.parametrize("name", ["../a.xfb", "a/b.xfb", ".hidden.xfb", "a.xfb.part", "", "名字.xfb", "a b.xfb"])
def test_write_refuses_names_that_are_not_plain(data, stick, name):
    with pytest.raises(InvalidInput):
        write_bundle_file(stick, name, data)
    assert os.listdir(stick) == []


@needs_symlinks
def test_planted_part_link_is_not_written_through(data, stick, tmp_path):
    """A hostile stick carries `<name>.part` linking to a file on the PC: writing must not touch that file."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    os.symlink(victim, stick / "a.xfb.part")
    path = write_bundle_file(stick, "a.xfb", data)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert path.read_bytes() == data and not path.is_symlink()
    assert os.listdir(stick) == ["a.xfb"]


def test_stale_part_file_is_replaced(data, stick):
    (stick / "a.xfb.part").write_bytes(b"half a bundle from a pulled stick")
    assert write_bundle_file(stick, "a.xfb", data).read_bytes() == data
    assert os.listdir(stick) == ["a.xfb"]


def _no_leftovers(stick):
    assert os.listdir(stick) == []


def test_disk_full_at_fsync_leaves_nothing(data, stick, monkeypatch, h):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(BundleError) as info:
        write_bundle_file(stick, "a.xfb", data)
    h.assert_refused(info.value, "write_failed")
    assert "空间不足" in info.value.message
    monkeypatch.undo()
    _no_leftovers(stick)


def test_disk_full_mid_write_leaves_nothing(data, stick, monkeypatch, h):
    real_write = os.write
    calls = []

    def half_then_full(fd, buf):
        calls.append(len(buf))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(buf)[: len(buf) // 2])

    monkeypatch.setattr(files.os, "write", half_then_full)
    with pytest.raises(BundleError) as info:
        write_bundle_file(stick, "a.xfb", data)
    h.assert_refused(info.value, "write_failed")
    monkeypatch.undo()
    _no_leftovers(stick)


def test_stick_pulled_at_rename_leaves_nothing(data, stick, monkeypatch, h):
    def pulled(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "replace", pulled)
    with pytest.raises(BundleError) as info:
        write_bundle_file(stick, "a.xfb", data)
    h.assert_refused(info.value, "write_failed")
    monkeypatch.undo()
    _no_leftovers(stick)


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="read-only directories do not stop root (or Windows ACL semantics differ)")
def test_read_only_stick_leaves_nothing(data, stick, h):
    os.chmod(stick, 0o555)
    try:
        with pytest.raises(BundleError) as info:
            write_bundle_file(stick, "a.xfb", data)
        h.assert_refused(info.value, "write_failed")
        assert os.listdir(stick) == []
    finally:
        os.chmod(stick, 0o755)


def test_read_back_mismatch_is_detected_and_removed(data, stick, monkeypatch, h):
    """A faulty stick stores different bytes from those written."""
    real_write = os.write

    def corrupting(fd, buf):
        damaged = bytearray(buf)
        damaged[len(damaged) // 2] ^= 0x01
        return real_write(fd, bytes(damaged))

    monkeypatch.setattr(files.os, "write", corrupting)
    with pytest.raises(BundleError) as info:
        write_bundle_file(stick, "a.xfb", data)
    h.assert_refused(info.value, "readback_mismatch")
    monkeypatch.undo()
    _no_leftovers(stick)


# --------------------------------------------------------------------------- listing and staging


def test_listing_skips_partial_hidden_links_and_folders(data, stick):
    (stick / "a_1_00000001.xfb").write_bytes(data)
    (stick / "a_1_00000002.xfb.part").write_bytes(data[:10])
    (stick / "._a_1_00000001.xfb").write_bytes(b"macOS junk")
    (stick / "notes.txt").write_text("x", encoding="utf-8")
    (stick / "dir.xfb").mkdir()
    (stick / "UPPER.XFB").write_bytes(data)
    odd = "西湖 街道\n换行.xfb" if os.name == "posix" else "西湖 街道 换行.xfb"
    (stick / odd).write_bytes(data)  # hostile but harmless: the name is never interpreted
    if _can_symlink():
        os.symlink(stick / "a_1_00000001.xfb", stick / "link.xfb")
    names = [p.name for p in list_bundle_files(stick)]
    assert names == sorted(["UPPER.XFB", "a_1_00000001.xfb", odd])


def test_listing_missing_folder(tmp_path, h):
    with pytest.raises(BundleError) as info:
        list_bundle_files(tmp_path / "gone")
    h.assert_refused(info.value, "read_failed")


def test_name_is_never_trusted(world, stick, tmp_path):
    """A file named as town A's bundle but holding town B's: the header, not the name, says who sent it."""
    data_b = world.bundle(sender=world.town_b)
    path = stick / f"{world.town_a.unit_code}_1_00000001.xfb"
    path.write_bytes(data_b)
    staged = read_bundle_file(path, tmp_path / "staging")
    assert staged.path.name != path.name
    assert parse_bundle(staged.read()).header.sender.unit == world.town_b.unit_code


def test_staging_size_cap(data, stick, tmp_path, h):
    path = stick / "a.xfb"
    path.write_bytes(data)
    staging = tmp_path / "staging"
    with pytest.raises(BundleError) as info:
        read_bundle_file(path, staging, max_size=len(data) - 1)
    h.assert_refused(info.value, "too_large")
    assert not staging.exists() or os.listdir(staging) == []
    assert read_bundle_file(path, staging, max_size=len(data)).size == len(data)


def test_file_growing_past_cap_while_copied(data, stick, tmp_path, monkeypatch, h):
    """The size check does not rely on stat: a file longer than it claimed is cut off at the cap."""
    path = stick / "a.xfb"
    path.write_bytes(data * 4)
    real_fstat = os.fstat

    class Small:
        def __init__(self, st):
            self.st_mode = st.st_mode
            self.st_size = 10

    monkeypatch.setattr(files.os, "fstat", lambda fd: Small(real_fstat(fd)))
    staging = tmp_path / "staging"
    with pytest.raises(BundleError) as info:
        read_bundle_file(path, staging, max_size=len(data))
    h.assert_refused(info.value, "too_large")
    assert os.listdir(staging) == []


def test_stick_pulled_mid_read_leaves_nothing_in_staging(data, stick, tmp_path, monkeypatch, h):
    path = stick / "a.xfb"
    path.write_bytes(data * 3000)  # several chunks
    real_read = os.read
    reads = []

    def pulled(fd, n):
        reads.append(n)
        if len(reads) > 1:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, n)

    monkeypatch.setattr(files.os, "read", pulled)
    staging = tmp_path / "staging"
    with pytest.raises(BundleError) as info:
        read_bundle_file(path, staging)
    h.assert_refused(info.value, "read_failed")
    assert "拔出" in info.value.message
    monkeypatch.undo()
    assert os.listdir(staging) == []


@needs_symlinks
def test_links_are_not_followed(stick, tmp_path, h):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the stick", encoding="utf-8")
    os.symlink(secret, stick / "a.xfb")
    with pytest.raises(BundleError) as info:
        read_bundle_file(stick / "a.xfb", tmp_path / "staging")
    h.assert_refused(info.value, "not_a_file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_special_files_are_refused_without_blocking(stick, tmp_path, h):
    os.mkfifo(stick / "pipe.xfb")
    (stick / "dir.xfb").mkdir()
    for name in ("pipe.xfb", "dir.xfb"):
        with pytest.raises(BundleError) as info:
            read_bundle_file(stick / name, tmp_path / "staging")
        h.assert_refused(info.value, {"not_a_file", "read_failed"})


def test_missing_file(stick, tmp_path, h):
    with pytest.raises(BundleError) as info:
        read_bundle_file(stick / "gone.xfb", tmp_path / "staging")
    h.assert_refused(info.value, "read_failed")
