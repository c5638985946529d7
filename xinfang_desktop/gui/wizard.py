"""First-run wizard: the unit, the administrator, the other side's enrolment key, the backup folder,
then the recovery code of the new, encrypted data folder.

Each page checks what it asks before the next one opens; nothing is written until the backup page is
accepted, and then through the write lane in one service call (services/first_run.py), which creates
the folder's key. The last page shows the recovery code, prints it on a sheet for the office safe,
and is finished only once the clerk confirms it has been kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..domain.divisions import DivisionTable
from ..domain.errors import XinfangError
from ..resources_data import load_default_divisions
from ..services.access import Opened
from ..services.first_run import FirstRunInput, check_enrolment, complete
from ..services.permissions import Actor
from ..store.keyring import PRODUCTION, KdfParams
from ..sync.drives import (
    suggested_backup_folder,  # another disk, checked: not D: or E: blindly
)
from .tasks import OTHER, TaskRunner

UNIT_PAGE, ADMIN_PAGE, ENROL_PAGE, BACKUP_PAGE, RECOVERY_PAGE = range(5)


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    return label


class UnitPage(QWizardPage):
    def __init__(self, divisions: DivisionTable):
        super().__init__()
        self.divisions = divisions
        self.setTitle("第 1 步：选择本单位")
        self.setSubTitle("本程序为哪个单位使用？乡镇（街道）信访办，或市信访局。")
        self.township = QRadioButton("乡镇（街道）信访办")
        self.city = QRadioButton("市信访局")
        self.township.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.township)
        group.addButton(self.city)
        self.unit = QComboBox()
        self.unit.setMinimumWidth(320)
        self.unit.setAccessibleName("本单位")
        kinds = QHBoxLayout()
        kinds.addWidget(self.township)
        kinds.addWidget(self.city)
        kinds.addStretch(1)
        form = QFormLayout(self)
        form.addRow("单位类型：", kinds)
        form.addRow("本单位(&D)：", self.unit)
        note = QLabel("单位设置后不能更改：事项编号和同步都以它为准。")
        note.setWordWrap(True)
        form.addRow("", note)
        self.township.toggled.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        self.unit.clear()
        city = self.city.isChecked()
        for d in self.divisions.all():
            if (d.kind == "市") == city and d.kind in ("市", "镇", "乡", "街道"):
                label = f"{d.name}{'信访局' if city else '信访办'}（{d.code}）"
                self.unit.addItem(label, d.code)

    def unit_code(self) -> str:
        return self.unit.currentData()

    def validatePage(self) -> bool:
        return bool(self.unit_code())


class AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第 2 步：创建管理员")
        self.setSubTitle("管理员可以添加其他工作人员、修改设置和恢复备份。数据加密保存，只有用密码（或下一步后显示的恢复码）"
                         "才能打开：请牢记密码。")
        self.name = QLineEdit()
        self.display = QLineEdit()
        self.password = QLineEdit()
        self.password2 = QLineEdit()
        for w in (self.password, self.password2):
            w.setEchoMode(QLineEdit.Password)
        self.name.setPlaceholderText("登录用的用户名，如 wangli")
        self.display.setPlaceholderText("如 王莉")
        self.message = _message_label()
        form = QFormLayout(self)
        form.addRow("用户名(&U)：", self.name)
        form.addRow("姓名(&N)：", self.display)
        form.addRow("密码(&P)：", self.password)
        form.addRow("确认密码(&C)：", self.password2)
        form.addRow("", self.message)

    def validatePage(self) -> bool:
        from ..services.auth import _check_login_name, _check_password

        if self.password.text() != self.password2.text():
            self.message.setText("两次输入的密码不一致，请重新输入。")
            self.password2.selectAll()
            self.password2.setFocus()
            return False
        try:
            _check_login_name(self.name.text())
            _check_password(self.password.text())
        except XinfangError as exc:
            self.message.setText(exc.message)
            return False
        self.message.clear()
        return True


class EnrolmentPage(QWizardPage):
    """Optional: the other side's public key file and the fingerprint on its paper form."""

    def __init__(self):
        super().__init__()
        self.setTitle("第 3 步：导入对方的登记密钥（可选）")
        self.setSubTitle("与市信访局（或乡镇）交换同步包前，需要导入对方的登记文件，并核对纸质表上的指纹。"
                         "现在没有的话可以跳过，以后在“同步”页面导入。")
        self.file = QLineEdit()
        self.file.setPlaceholderText("对方的登记文件（.json）")
        browse = QPushButton("浏览(&B)…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("纸质表上的64位指纹，可带空格")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.message = _message_label()
        form = QFormLayout(self)
        caption = QLabel("登记文件(&F)：")
        caption.setBuddy(self.file)
        form.addRow(caption, row)
        form.addRow("指纹(&G)：", self.fingerprint)
        form.addRow("", self.result)
        form.addRow("", self.message)
        self.data: bytes | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择对方的登记文件", str(Path.home()), "登记文件 (*.json);;所有文件 (*)")
        if path:
            self.file.setText(path)

    def validatePage(self) -> bool:
        self.data = None
        text = self.file.text().strip()
        if not text:
            self.message.clear()
            return True                       # optional
        try:
            data = Path(text).read_bytes()
        except OSError as exc:
            self.message.setText(f"无法读取 {Path(text).name}：{exc.strerror or exc}。请重新选择文件。")
            return False
        try:
            summary = check_enrolment(data, self.fingerprint.text())
        except XinfangError as exc:
            self.message.setText(exc.message)
            return False
        self.message.clear()
        self.result.setText(f"已核对：{summary['unit_name']}（{summary['unit_code']}）")
        self.data = data
        return True


class BackupPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第 4 步：选择备份文件夹")
        self.setSubTitle("程序每天自动备份一次（保留最近7天、4周和12个月）。请选择另一块硬盘或U盘上的文件夹："
                         "本机硬盘损坏时，备份仍然可用。")
        self.folder = QLineEdit(str(suggested_backup_folder()))
        browse = QPushButton("浏览(&B)…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.later = QCheckBox("以后再设置（在“设置 → 备份”中）")
        self.later.toggled.connect(lambda on: self.folder.setEnabled(not on))
        self.message = _message_label()
        form = QFormLayout(self)
        caption = QLabel("备份文件夹(&O)：")
        caption.setBuddy(self.folder)
        form.addRow(caption, row)
        form.addRow("", self.later)
        form.addRow("", self.message)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择备份文件夹", self.folder.text())
        if path:
            self.folder.setText(path)

    def chosen(self) -> Path | None:
        return None if self.later.isChecked() else Path(self.folder.text().strip())

    def validatePage(self) -> bool:
        if self.later.isChecked():
            return self.wizard().finish()
        text = self.folder.text().strip()
        if not text or not Path(text).is_absolute():
            self.message.setText("请选择一个完整的文件夹路径，例如 D:\\信访备份 或U盘上的文件夹。")
            return False
        return self.wizard().finish()


class RecoveryPage(QWizardPage):
    """The recovery code of the new folder: shown once, printed for the office safe, confirmed kept."""

    def __init__(self):
        super().__init__()
        self.setTitle("第 5 步：保存恢复码")
        self.setSubTitle("数据已加密保存。所有密码都忘记时，只有用恢复码才能打开数据；恢复码和所有密码都丢失，"
                         "数据将无法找回。请打印或抄写下来，存放在办公室的保险柜里，不要存放在这台电脑上。")
        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.code.setStyleSheet("font-size: 22pt; font-family: monospace; letter-spacing: 2px; padding: 12px;"
                                "border: 1px solid #999; background: white;")
        self.code.setAlignment(Qt.AlignCenter)
        self.print_button = QPushButton("打印恢复码(&P)…")
        self.print_button.clicked.connect(lambda: self.wizard().print_recovery_sheet())
        self.kept = QCheckBox("我已把恢复码打印或抄写下来，并会存放在安全的地方(&K)")
        self.kept.toggled.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.kept)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return self.kept.isChecked()


class FirstRunWizard(QWizard):
    """Shown once, on an empty data folder. After it is accepted, `opened` holds the new folder's services,
    its administrator (`actor`) and the recovery code."""

    def __init__(self, data_dir: Path, tasks: TaskRunner, parent: QWidget | None = None, *,
                 divisions: DivisionTable | None = None, kdf: KdfParams = PRODUCTION):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.kdf = kdf
        self.tasks = tasks
        self.opened: Opened | None = None
        self.actor: Actor | None = None
        self.setWindowTitle("首次设置 — 信访 Desktop")
        self.setWizardStyle(QWizard.ModernStyle)
        self.setOption(QWizard.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.NextButton, "下一步(&N) >")
        self.setButtonText(QWizard.BackButton, "< 上一步(&B)")
        self.setButtonText(QWizard.FinishButton, "完成(&F)")
        self.setButtonText(QWizard.CancelButton, "取消")
        self.unit_page = UnitPage(divisions or load_default_divisions())
        self.admin_page = AdminPage()
        self.enrol_page = EnrolmentPage()
        self.backup_page = BackupPage()
        self.recovery_page = RecoveryPage()
        for i, page in enumerate((self.unit_page, self.admin_page, self.enrol_page, self.backup_page,
                                  self.recovery_page)):
            self.setPage(i, page)
        self.resize(640, 460)
        self._finishing = False

    def unit_count(self) -> int:
        return self.unit_page.unit.count()

    def finish(self) -> bool:
        """Write everything (from the last page's validation). True once the unit exists."""
        if self.actor is not None:
            return True
        if self._finishing:
            return False
        given = FirstRunInput(
            unit_code=self.unit_page.unit_code(), admin_name=self.admin_page.name.text(),
            password=self.admin_page.password.text(), display_name=self.admin_page.display.text().strip() or None,
            enrolment=self.enrol_page.data, fingerprint=self.enrol_page.fingerprint.text() or None,
            backup_folder=self.backup_page.chosen())
        self._finishing = True
        self.button(QWizard.NextButton).setEnabled(False)
        self.backup_page.message.setStyleSheet("")
        self.backup_page.message.setText("正在建立加密的数据目录…")
        data_dir, kdf = self.data_dir, self.kdf
        self.tasks.run(lambda: complete(data_dir, given, kdf=kdf), on_done=self._done, on_error=self._failed, writes=True,
                                changes=OTHER, owner=self)
        return self.actor is not None      # inline (tests): already done; threaded: _done moves on

    @property
    def services(self):
        return self.opened.services if self.opened else None

    def _done(self, opened: Opened) -> None:
        self._finishing = False
        self.opened, self.actor = opened, opened.actor
        self.recovery_page.code.setText(opened.recovery_code or "")
        self.backup_page.message.clear()
        self.button(QWizard.BackButton).setEnabled(False)
        if self.currentId() == BACKUP_PAGE and self.isVisible():
            self.next()                        # validates again: finish() now answers True

    def initializePage(self, page_id: int) -> None:  # type: ignore[override]
        super().initializePage(page_id)
        if page_id == RECOVERY_PAGE:
            self.button(QWizard.BackButton).setEnabled(False)   # the folder exists now: no way back

    def print_recovery_sheet(self) -> None:
        """The one-page sheet for the office safe, through the print preview (print or save as PDF)."""
        if self.opened is None:
            return
        from ..documents.recovery import render_recovery_sheet
        from .print_preview import PrintPreviewDialog

        opened = self.opened

        def work():
            unit = opened.services.auth.unit()
            return render_recovery_sheet(unit.name, unit.code, opened.recovery_code or "",
                                         opened.actor.display_name, opened.services.clock.today())

        def show(rendered) -> None:
            self.sheet = PrintPreviewDialog(self, rendered, file_name="数据恢复码.pdf", tasks=self.tasks)
            self.sheet.open()

        self.tasks.run(work, writes=False, on_done=show, owner=self)

    def _failed(self, exc: BaseException, _details: str) -> None:
        self._finishing = False
        self.button(QWizard.NextButton).setEnabled(True)
        from .errors import message_for

        self.backup_page.message.setStyleSheet("color: #b00020;")
        self.backup_page.message.setText(message_for(exc))
