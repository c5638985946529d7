"""The 同步 page's administration: the city's actions on its 乡镇登记册 (冻结/解冻, 吊销, 授权新一轮编号),
更换密钥 on both sides, and the banner a township restored from backup sees until it starts a new
numbering round (epoch, 编号轮次). Dialogs only collect input; the page runs the work through ctx.tasks."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import InvalidInput
from ..services.sync import PeerStatus
from ..sync.keys import MIN_PASSPHRASE
from .form_dialog import Field, FieldFormDialog, FormLook, ask_secret

HINT_STYLE = "color: #555;"


def _hint(text: str, style: str = HINT_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


def sync_look(min_width: int) -> FormLook:
    """The sync page's dialogs: no line of keyboard tips, the note above the fields in grey."""
    return FormLook(min_width=min_width, tips="", head_style=HINT_STYLE)


def _given(name: str, refusal: str):
    def check(values: dict) -> None:
        if not values[name]:
            raise InvalidInput(refusal, field=name)
    return check


class FreezeDialog(FieldFormDialog):
    """冻结: the reason is required (it is what the administrator checks before 解冻)."""

    def __init__(self, unit_name: str, parent: QWidget | None = None):
        super().__init__(
            parent, None, f"冻结{unit_name}的同步",
            [Field("reason", "冻结原因", placeholder="例如：同步包编号冲突，待电话核实")],
            head=f"冻结后，{unit_name}的同步包一律拒绝导入，直到解冻。已导入的数据不受影响。",
            ok_label="冻结", look=sync_look(540), check=_given("reason", "请填写冻结原因，解冻时据此核对。"))
        self.reason = self.editor("reason")
        self.error = self.rows["reason"].error


def ask_freeze_reason(parent: QWidget, peer: PeerStatus) -> str | None:
    values = FreezeDialog(peer.unit_name, parent).ask()
    return values["reason"] if values else None


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


class AuthoriseEpochDialog(FieldFormDialog):
    """授权新一轮编号 (the city, for a township restored from backup): the epoch it may start."""

    def __init__(self, peer: PeerStatus, parent: QWidget | None = None):
        nxt = peer.head_epoch + 1
        super().__init__(
            parent, None, "授权新一轮编号",
            [Field("epoch", f"授权的轮次（当前为第 {peer.head_epoch} 轮）", "count", default=nxt,
                   bounds=(nxt, 1_000_000))],
            head=f"{peer.unit_name}的电脑从备份恢复后，同步包须开始新一轮编号才能继续导出。\n"
                 "请先导入该乡镇恢复前已导出的全部同步包：授权后上一轮编号的包不再导入。",
            ok_label="确定", look=sync_look(480))
        self.epoch = self.editor("epoch")


def ask_authorised_epoch(parent: QWidget, peer: PeerStatus) -> int | None:
    values = AuthoriseEpochDialog(peer, parent).ask()
    return values["epoch"] if values else None


@dataclass(frozen=True)
class EpochStart:
    epoch: int
    last_number: str | None


class StartEpochDialog(FieldFormDialog):
    """开始新一轮编号: the epoch number and the highest case number the city told on the telephone."""

    def __init__(self, current: int, parent: QWidget | None = None):
        super().__init__(
            parent, None, "开始新一轮编号",
            [Field("epoch", "轮次", "count", default=current + 1, bounds=(current + 1, 1_000_000)),
             Field("last_number", "市局已有的最大事项编号",
                   placeholder="例如 350881102-2026-00017（市局没有时不填）")],
            head="请填写市信访局授权时告知的轮次和本单位最大事项编号。轮次不对时，市局会拒绝导入"
                 "下一个同步包；填了最大事项编号，此后登记的事项从其下一号编起，不会与市局已有的重复。",
            ok_label="开始新一轮编号", look=sync_look(560))
        self.epoch = self.editor("epoch")
        self.last_number = self.editor("last_number")

    def value(self) -> EpochStart:
        values = self.values()
        return EpochStart(values["epoch"], values["last_number"] or None)


def ask_start_epoch(parent: QWidget, current: int) -> EpochStart | None:
    dialog = StartEpochDialog(current, parent)
    return dialog.value() if dialog.ask() is not None else None


@dataclass(frozen=True)
class Rotation:
    current: str
    new: str


def _rotation_check(values: dict) -> None:
    _given("current", "请输入当前的密钥口令。")(values)
    if len(values["new"]) < MIN_PASSPHRASE:
        raise InvalidInput(f"新口令至少需要 {MIN_PASSPHRASE} 个字符。", field="new")


class RotateDialog(FieldFormDialog):
    """更换密钥: the current passphrase unlocks the old keys (they sign the rotation record); the new one twice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            parent, None, "更换本单位的同步密钥",
            [Field("current", "当前口令", "password"),
             Field("new", "新口令", "password"),
             Field("again", "再次输入新口令", "password", same_as="new",
                   mismatch="两次输入的新口令不一致，请重新输入。")],
            head="将生成新的密钥。轮换记录由旧密钥签名，随下次导出的同步包送达对方单位，对方导入后即改用新密钥，"
                 "无需重新登记。旧密钥仍保留在本机，用于读取途中的同步包。更换后请重新打印登记表存档。",
            ok_label="更换密钥", look=sync_look(480), check=_rotation_check)
        self.current, self.new, self.again = (self.editor(n) for n in ("current", "new", "again"))

    def problem(self) -> str | None:
        refused = self.refusal()
        return refused.message if refused else None

    def rotation(self) -> Rotation:
        values = self.values()
        return Rotation(values["current"], values["new"])


def ask_rotation(parent: QWidget) -> Rotation | None:
    dialog = RotateDialog(parent)
    return dialog.rotation() if dialog.ask() is not None else None


def _new_passphrase_check(values: dict) -> None:
    if len(values["passphrase"]) < MIN_PASSPHRASE:
        raise InvalidInput(f"密钥口令至少需要 {MIN_PASSPHRASE} 个字符，请重新设置。", field="passphrase")


class NewPassphraseDialog(FieldFormDialog):
    """设置密钥口令: the passphrase of the keys about to be made, typed twice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            parent, None, "设置密钥口令",
            [Field("passphrase", "设置同步密钥口令（至少8位，请牢记）", "password"),
             Field("again", "再次输入口令", "password", same_as="passphrase",
                   mismatch="两次输入的口令不一致，请重新设置。")],
            ok_label="确定", look=sync_look(460), check=_new_passphrase_check)


def ask_new_passphrase(parent: QWidget) -> str | None:
    """The passphrase of the keys about to be made, typed twice; None when cancelled."""
    values = NewPassphraseDialog(parent).ask()
    return values["passphrase"] if values else None


def ask_passphrase(parent: QWidget) -> str | None:
    """密钥口令: this unit's passphrase, to unlock the keys (the work that uses it runs afterwards)."""
    return ask_secret(parent, "密钥口令", "请输入本单位的同步密钥口令", empty="请输入本单位的同步密钥口令。")


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
           "confirm_revoke", "ask_authorised_epoch", "AuthoriseEpochDialog", "ask_start_epoch", "EpochStart",
           "StartEpochDialog", "ask_rotation", "revoke_text", "ask_new_passphrase", "NewPassphraseDialog",
           "ask_passphrase"]
