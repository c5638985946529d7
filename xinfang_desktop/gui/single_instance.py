"""One window per data folder.

The first window holds a QLockFile in the data folder and listens on a local socket named after
the folder. A second start on the same folder asks the first to come forward and exits; when the
first does not answer (hung, or started by another Windows user) it is told plainly why it cannot
start. Two processes never write the database at the same time anyway: SQLite's file lock and
BEGIN IMMEDIATE make writers queue, and the command line refuses `restore` while the lock is held.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_NAME = "xinfang.lock"   # services.backup.LOCK_FILE reads it too
_HELLO = b"raise\n"


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).lower().encode("utf-8")).hexdigest()[:16]
    return f"xinfang-desktop-{digest}"


class SingleInstance(QObject):
    """`acquire()` once at start; `activate` fires when a second start asks this window forward."""

    activate = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.lock = QLockFile(str(self.data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)   # stale only when its process is gone, never by age
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this process now owns the folder (and listens for later starts)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.lock.tryLock(200):
            if self.lock.error() != QLockFile.LockFailedError:
                # Not held by another window: the lock file cannot be written (a read-only folder).
                from ..store.errors import read_only_folder
                raise read_only_folder(self.data_dir)
            return False
        name = server_name(self.data_dir)
        QLocalServer.removeServer(name)    # a socket file left by a crashed window
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)
        self.server.listen(name)
        return True

    def _on_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if bytes(sock.readAll().data()).startswith(_HELLO.strip()):
            sock.write(b"ok\n")
            sock.flush()
            self.activate.emit()

    def ask_first_forward(self, timeout_ms: int = 1500) -> bool:
        """From the second start: ask the window holding the folder to come forward."""
        sock = QLocalSocket()
        sock.connectToServer(server_name(self.data_dir))
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(_HELLO)
        sock.flush()
        answered = sock.waitForReadyRead(timeout_ms) and bytes(sock.readAll().data()).startswith(b"ok")
        sock.disconnectFromServer()
        return answered

    def holder_pid(self) -> int | None:
        """The process id of the window holding the folder, from its lock file; None when unknown."""
        info = self.lock.getLockInfo()    # PySide6: (pid, hostname, appname); empty when unknown
        return int(info[0]) if info and len(info) >= 1 and info[0] else None

    def why_not(self) -> str:
        """A Chinese sentence for the person at the second start."""
        info = self.lock.getLockInfo()    # PySide6: (pid, hostname, appname); empty when unknown
        pid, host = (info[0], info[1]) if info and len(info) >= 2 and info[0] else (None, None)
        who = f"（进程号 {pid}，计算机 {host}）" if pid else ""
        return (f"信访工作平台已经在使用这个数据目录{who}，但没有响应。\n\n"
                f"数据目录：{self.data_dir}\n\n"
                "同一份数据同时只能由一个窗口打开，以免两处同时修改。请切换到已打开的窗口；"
                "如果它已卡住，请在任务管理器中结束“xinfang-desktop”后重新启动，或注销后重新登录 Windows。")

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()
