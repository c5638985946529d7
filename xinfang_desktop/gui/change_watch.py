"""Every desk's lists see the other desks' changes within seconds (issue 16): a look at the database every
POLL_SECONDS, in the task runner's read lane, whether anything was committed since the last look by any
connection (store/changes.py says how each engine tells, at no cost to a writer). When something was, the
runner's `changed_elsewhere` is emitted and the pages that follow writes (gui/refresh.py) take the same path
as after a write made here: the page on the screen reloads, keeping its selection, sort, filter and scroll
position; a hidden one reloads when it is next shown.

What is never disturbed: while a dialog is open (an action's form, a confirmation) nothing is looked at, and
a change seen just as one opened is kept for the look after it closes; the 登记 form reloads nothing. The
case view does not change under the clerk's eyes: it says that the case was updated on another desk, with a
button to read it again (pages/case_view.py).

A look that fails (the server went away, the network is cut) shows one line in the window's status bar, in
the words the program uses for that failure elsewhere (store/pg_errors.py), and nothing else until it
succeeds again: no message box every few seconds. The next look connects again; the line goes once it has.

The own writes of this window are announced at once by the write lane (`changed`); a look after one of them
sees it too and reloads the visible page once more (the engines cannot tell whose commit it was): one read of
one page per write, against the risk of missing another desk's commit that landed at the same moment.
With the inline runner (tests, the self-test) the timer does not run by itself: a test drives `poll()`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ..store.changes import ChangeProbe, open_probe
from .context import AppContext
from .tasks import CASES

log = logging.getLogger(__name__)

# How soon a desk sees another's change. A look costs ~4 µs on SQLite and ~0.3 ms on a server on the same
# machine (benchmarks/change_watch.py), and 4 desks register as fast with watchers looking 40 times a second.
POLL_SECONDS = 3

LOST = ("与数据库的连接中断了：各列表暂停自动刷新，连接恢复后自动继续。已保存的数据没有受到影响；"
        "如长时间未恢复，请检查网络，或联系管理员确认数据库服务器在运行。")


def trouble_text(exc: BaseException) -> str:
    """The status line for a look that failed: LOST when the server cannot be reached (store/pg_errors.py's
    words for it), else the program's own message for the failure."""
    from ..store.pg_errors import is_server_error, server_message
    from .errors import message_for

    if is_server_error(exc):
        said = server_message(str(exc))
        if said is None or said.startswith(("与数据库服务器的连接中断", "无法连接数据库服务器")):
            return LOST
    return "暂时无法检查其他工作台的更新，各列表暂停自动刷新。" + message_for(exc)


class ChangeWatcher(QObject):
    trouble = Signal(str)          # the status line: what went wrong with the looks, "" once they work again

    def __init__(self, ctx: AppContext, parent: QObject | None = None, probe: ChangeProbe | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.probe = probe or open_probe(ctx.services.db)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_SECONDS * 1000)
        self.timer.timeout.connect(self.poll)
        self.last: object = None          # the token of the last look (None: not looked yet)
        self.failing = ""                 # the status line while looks fail
        self._busy = False
        self.stopped = False
        self.looks = 0                    # looks finished (tests, and the figures of benchmarks/change_watch.py)

    def start(self) -> None:
        """Look every POLL_SECONDS from now on (the window, once shown). The inline runner is not timed."""
        if not self.ctx.tasks.inline:
            self.timer.start()
        self.poll()                       # the first look only sets where the next ones compare from

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()
        self.probe.close()

    def poll(self) -> None:
        """One look, in the read lane; skipped while the last is still out or a dialog is open."""
        if self._busy or self.stopped or QApplication.activeModalWidget() is not None:
            return
        self._busy = True
        self.ctx.tasks.run(self.probe.read, writes=False, on_done=self._looked, on_error=self._failed, owner=self)

    def _looked(self, token: object) -> None:
        self._busy = False
        if self.stopped:
            return
        self.looks += 1
        if self.failing:
            self.failing = ""
            self.trouble.emit("")
            log.info("change watch: the database answers again")
        if token == self.last:
            return
        if self.last is not None and QApplication.activeModalWidget() is not None:
            return                        # not under an open dialog: the next look after it closes sees it
        first, self.last = self.last is None, token
        if not first:
            self.ctx.tasks.changed_elsewhere.emit(CASES)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._busy = False
        if self.stopped:
            return
        text = trouble_text(exc)
        if text != self.failing:
            log.warning("change watch: a look failed: %s", exc)
            self.failing = text
            self.trouble.emit(text)

