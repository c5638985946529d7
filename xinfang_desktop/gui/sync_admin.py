"""The 同步 page's administration: the city's actions on its 乡镇登记册 (冻结/解冻, 吊销, 授权新一轮编号),
更换密钥 on both sides, and the banner a township restored from backup sees until it starts a new
numbering round (epoch, 编号轮次). Dialogs only collect input; the page runs the work through ctx.tasks."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..services.sync import PeerStatus
from ..sync.keys import MIN_PASSPHRASE

HINT_STYLE = "color: #555;"
ERROR_STYLE = "color: #9b1111;"


def _hint(text: str, style: str = HINT_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    buttons.button(QDialogButtonBox.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class FreezeDialog(QDialog):
    """冻结: the reason is required (it is what the administrator checks before 解冻)."""

    def __init__(self, unit_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"冻结{unit_name}的同步")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("例如：同步包编号冲突，待电话核实")
        self.reason.setMinimumWidth(420)
        self.error = _hint("", ERROR_STYLE)
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow("冻结原因：", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint(f"冻结后，{unit_name}的同步包一律拒绝导入，直到解冻。已导入的数据不受影响。"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "冻结"))

    def accept(self) -> None:
        if not self.reason.text().strip():
            self.error.setText("请填写冻结原因，解冻时据此核对。")
            self.error.setVisible(True)
            self.reason.setFocus()
            return
        super().accept()


def ask_freeze_reason(parent: QWidget, peer: PeerStatus) -> str | None:
    dialog = FreezeDialog(peer.unit_name, parent)
    return dialog.reason.text().strip() if dialog.exec() == QDialog.Accepted else None


def revoke_text(peer: PeerStatus) -> str:
    return (f"确定吊销{peer.unit_name}（{peer.unit_code}）的登记吗？\n\n"
            f"吊销后，{peer.unit_name}的同步包不再导入（一律拒绝），本局也不再向其发送同步包；"
            "已导入的数据保留。吊销不能撤销：如需恢复同步，须用其新的登记文件和盖章的纸质登记表重新登记。\n\n"
            "只是暂时停止（例如待核实）请用“冻结”。")


def confirm_revoke(parent: QWidget, peer: PeerStatus) -> bool:
    box = QMessageBox(QMessageBox.Warning, "吊销登记", revoke_text(peer), parent=parent)
    yes = box.addButton("吊销", QMessageBox.DestructiveRole)
    box.addButton("取消", QMessageBox.RejectRole)
    box.exec()
    return box.clickedButton() is yes


def ask_authorised_epoch(parent: QWidget, peer: PeerStatus) -> int | None:
    value, ok = QInputDialog.getInt(
        parent, "授权新一轮编号",
        f"{peer.unit_name}的电脑从备份恢复后，同步包须开始新一轮编号才能继续导出。\n"
        f"请先导入该乡镇恢复前已导出的全部同步包：授权后上一轮编号的包不再导入。\n\n"
        f"授权的轮次（当前为第 {peer.head_epoch} 轮）：",
        peer.head_epoch + 1, peer.head_epoch + 1, 1_000_000, 1)
    return value if ok else None


@dataclass(frozen=True)
class EpochStart:
    epoch: int
    last_number: str | None


class StartEpochDialog(QDialog):
    """开始新一轮编号: the epoch number and the highest case number the city told on the telephone."""

    def __init__(self, current: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("开始新一轮编号")
        self.epoch = QSpinBox()
        self.epoch.setRange(current + 1, 1_000_000)
        self.epoch.setValue(current + 1)
        self.last_number = QLineEdit()
        self.last_number.setPlaceholderText("例如 350881102-2026-00017（市局没有时不填）")
        self.last_number.setMinimumWidth(360)
        form = QFormLayout()
        form.addRow("轮次：", self.epoch)
        form.addRow("市局已有的最大事项编号：", self.last_number)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint("请填写市信访局授权时告知的轮次和本单位最大事项编号。轮次不对时，市局会拒绝导入"
                               "下一个同步包；填了最大事项编号，此后登记的事项从其下一号编起，不会与市局已有的重复。"))
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "开始新一轮编号"))

    def value(self) -> EpochStart:
        return EpochStart(self.epoch.value(), self.last_number.text().strip() or None)


def ask_start_epoch(parent: QWidget, current: int) -> EpochStart | None:
    dialog = StartEpochDialog(current, parent)
    return dialog.value() if dialog.exec() == QDialog.Accepted else None


@dataclass(frozen=True)
class Rotation:
    current: str
    new: str


class RotateDialog(QDialog):
    """更换密钥: the current passphrase unlocks the old keys (they sign the rotation record); the new one twice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("更换本单位的同步密钥")
        self.current = QLineEdit()
        self.new = QLineEdit()
        self.again = QLineEdit()
        for edit in (self.current, self.new, self.again):
            edit.setEchoMode(QLineEdit.Password)
            edit.setMinimumWidth(300)
        form = QFormLayout()
        form.addRow("当前口令：", self.current)
        form.addRow("新口令：", self.new)
        form.addRow("再次输入新口令：", self.again)
        self.error = _hint("", ERROR_STYLE)
        self.error.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint(
            "将生成新的密钥。轮换记录由旧密钥签名，随下次导出的同步包送达对方单位，对方导入后即改用新密钥，"
            "无需重新登记。旧密钥仍保留在本机，用于读取途中的同步包。更换后请重新打印登记表存档。"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "更换密钥"))

    def problem(self) -> str | None:
        if not self.current.text():
            return "请输入当前的密钥口令。"
        if len(self.new.text()) < MIN_PASSPHRASE:
            return f"新口令至少需要 {MIN_PASSPHRASE} 个字符。"
        if self.new.text() != self.again.text():
            return "两次输入的新口令不一致，请重新输入。"
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            self.error.setVisible(True)
            return
        super().accept()

    def rotation(self) -> Rotation:
        return Rotation(self.current.text(), self.new.text())


def ask_new_passphrase(parent: QWidget) -> str | None:
    """The passphrase of the keys about to be made, typed twice; None when cancelled or not the same twice."""
    from .errors import show_error
    from ..domain.errors import InvalidInput

    first, ok = QInputDialog.getText(parent, "设置密钥口令", "设置同步密钥口令（至少8位，请牢记）：", QLineEdit.Password)
    if not ok or not first:
        return None
    second, ok = QInputDialog.getText(parent, "设置密钥口令", "再次输入口令：", QLineEdit.Password)
    if not ok:
        return None
    if first != second:
        show_error(parent, InvalidInput("两次输入的口令不一致，请重新设置。"))
        return None
    return first


def ask_rotation(parent: QWidget) -> Rotation | None:
    dialog = RotateDialog(parent)
    return dialog.rotation() if dialog.exec() == QDialog.Accepted else None


class RegistryActions(QWidget):
    """Buttons under the 乡镇登记册, enabled for the selected township where they apply."""

    freeze = Signal()
    unfreeze = Signal()
    revoke = Signal()
    authorise = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.freeze_button = QPushButton("冻结…")
        self.unfreeze_button = QPushButton("解冻")
        self.revoke_button = QPushButton("吊销…")
        self.authorise_button = QPushButton("授权新一轮编号…")
        self.freeze_button.clicked.connect(self.freeze)
        self.unfreeze_button.clicked.connect(self.unfreeze)
        self.revoke_button.clicked.connect(self.revoke)
        self.authorise_button.clicked.connect(self.authorise)
        self.note = _hint("选择一个乡镇后操作。")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        for b in self.buttons():
            row.addWidget(b)
        row.addWidget(self.note, 1)
        self.set_peer(None, admin=False)

    def buttons(self) -> list[QPushButton]:
        return [self.freeze_button, self.unfreeze_button, self.revoke_button, self.authorise_button]

    def set_peer(self, peer: PeerStatus | None, *, admin: bool, busy: bool = False) -> None:
        live = peer is not None and admin and not busy and not peer.revoked
        self.freeze_button.setEnabled(live and not peer.frozen)
        self.unfreeze_button.setEnabled(live and peer.frozen)
        self.revoke_button.setEnabled(live)
        self.authorise_button.setEnabled(live)
        if peer is None:
            self.note.setText("选择一个乡镇后操作。" if admin else "只有管理员可以冻结、吊销或授权新一轮编号。")
        elif not admin:
            self.note.setText("只有管理员可以冻结、吊销或授权新一轮编号。")
        elif peer.revoked:
            self.note.setText(f"{peer.unit_name}的登记已吊销；如需恢复，请用其新的登记文件重新登记。")
        elif peer.frozen:
            self.note.setText(f"{peer.unit_name}已冻结（{peer.frozen_reason or '未写原因'}），核实后可解冻。")
        else:
            self.note.setText(f"{peer.unit_name}：第 {peer.head_epoch} 轮编号，同步正常。")


class EpochBanner(QFrame):
    """At a township restored from backup: it must start a new batch, authorised by the city, before exporting."""

    start = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("EpochBanner { background: #fff4e5; border: 1px solid #e0a050; border-radius: 4px; }")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; color: #8a4b00;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.PlainText)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.button = QPushButton("开始新一轮编号…")
        self.button.clicked.connect(self.start)
        words = QVBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.text)
        row = QHBoxLayout(self)
        row.addLayout(words, 1)
        row.addWidget(self.button, 0, Qt.AlignVCenter)
        self.setVisible(False)

    def show_restored(self, restored: dict | None, epoch: int, *, admin: bool) -> None:
        if restored is None:
            self.setVisible(False)
            return
        when = str(restored.get("since") or "")[:16]
        source = restored.get("backup") or ""
        self.title.setText(f"本机数据已从备份恢复（{when}{'，备份 ' + source if source else ''}），导出前须开始新一轮编号")
        self.text.setText(
            "原来的同步包编号可能已经用过，继续使用会与已交市局的同步包冲突。\n"
            "① 电话联系市信访局，请其在乡镇登记册为本单位“授权新一轮编号”；"
            f"② 点右侧“开始新一轮编号”，填入市局告知的轮次（通常为 {epoch + 1}）和本单位最大事项编号；"
            "③ 再导出并复制到U盘。"
            + ("" if admin else "（须由管理员操作）"))
        self.button.setEnabled(admin)
        self.setVisible(True)


__all__ = ["FreezeDialog", "RotateDialog", "Rotation", "RegistryActions", "EpochBanner", "ask_freeze_reason",
           "confirm_revoke", "ask_authorised_epoch", "ask_start_epoch", "EpochStart", "StartEpochDialog", "ask_rotation", "revoke_text",
           "ask_new_passphrase"]
