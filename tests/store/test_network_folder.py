"""A data folder on a network share is refused (SQLite's WAL needs one machine's shared memory).

Windows answers (GetDriveTypeW) and Linux mount tables are handed in; the refusal itself goes
through the real open_database."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinfang_desktop.domain.errors import XinfangError
from xinfang_desktop.store import network_folder as nf

DRIVES = {"C:\\": 3, "D:\\": 3, "Z:\\": nf.DRIVE_REMOTE}

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
tmpfs /tmp tmpfs rw 0 0
nas:/export/xinfang /mnt/nas nfs4 rw,relatime 0 0
//server/共享 /mnt/share\\040office cifs rw 0 0
user@host:/srv /home/clerk/remote fuse.sshfs rw 0 0
/dev/sdb1 /mnt/nas/local-cache ext4 rw 0 0
"""


@pytest.mark.parametrize("path,expected", [
    (r"\\server\信访\data", r"网络共享文件夹 \\server\信访"),
    (r"\\?\UNC\server\share\data", "网络共享文件夹"),
    (r"Z:\信访数据", "映射的网络驱动器 Z:"),
    (r"z:\信访数据", "映射的网络驱动器 Z:"),
    (r"C:\Users\张三 #%\AppData\Local\xinfang_desktop", None),
    (r"\\?\C:\data", None),
    (r"D:\信访数据", None),
])
def test_windows_network_paths(path, expected):
    where = nf.network_location(Path(path), platform="win32", drive_type=lambda root: DRIVES[root.upper()])
    if expected is None:
        assert where is None
    else:
        assert where is not None and where.startswith(expected)


@pytest.mark.parametrize("path,expected", [
    ("/mnt/nas/xinfang", "nfs4"),
    ("/mnt/nas", "nfs4"),
    ("/mnt/share office/数据", "cifs"),
    ("/home/clerk/remote/data", "fuse.sshfs"),
    ("/mnt/nas/local-cache/data", None),        # a local disk mounted inside the share
    ("/mnt/nasty", None),                       # a name that only starts like the mount point
    ("/home/clerk/.local/share/xinfang_desktop", None),
    ("/tmp/x", None),
])
def test_linux_network_filesystems(path, expected):
    where = nf.linux_network_location(path, MOUNTS)
    assert (where is None) if expected is None else (expected in where)


def test_a_folder_not_made_yet_is_judged_by_its_parent(tmp_path):
    mounts = f"/dev/sda1 / ext4 rw 0 0\nnas:/x {tmp_path} nfs rw 0 0\n"
    assert "nfs" in nf.network_location(tmp_path / "not" / "yet", platform="linux", mounts=lambda: mounts)
    assert nf.network_location(tmp_path / "not" / "yet", platform="linux", mounts=lambda: "") is None


def test_open_database_refuses_a_network_folder_and_writes_nothing(tmp_path, monkeypatch):
    from xinfang_desktop.store.db import open_database

    (tmp_path / "share").mkdir()            # the mount point
    folder = tmp_path / "share" / "data"
    monkeypatch.setattr(nf, "_mounts", lambda: f"/dev/sda1 / ext4 rw 0 0\nserver:/s {tmp_path / 'share'} nfs4 rw 0 0\n")
    with pytest.raises(XinfangError) as caught:
        open_database(folder / "xinfang.sqlite3", key=b"k" * 32)
    message = caught.value.message
    assert str(folder) in message and "网络" in message and "本机硬盘" in message
    assert not folder.exists()


def test_the_local_disk_still_opens(tmp_path):
    from xinfang_desktop.store.db import open_database

    db = open_database(tmp_path / "data" / "xinfang.sqlite3", key=b"k" * 32)
    try:
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
