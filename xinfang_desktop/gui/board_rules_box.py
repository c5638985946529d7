"""看板规则 on the settings page: the thresholds of the four-colour board, each beside its default.

The spin boxes take any number a hand might type; the published bounds are checked by the
domain (BoardSettings) when saving, and its message shows next to the field, so a clerk reads
why a value was refused instead of a box that silently will not take it."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from ..domain.board import SETTING_BOUNDS, SETTING_LABELS, BoardSettings
from ..domain.errors import InvalidInput
from ..services.board import BoardService
from ..services.permissions import Permission
from .context import AppContext
from .errors import show_error

# Unit and what each threshold does, in the words of the board's rules.
UNITS = {"repeat_count": "次", "repeat_window_days": "天", "long_standing_days": "天", "due_soon_days": "天",
         "followup_days": "天"}
EFFECTS = {
    "repeat_count": "同一事项信访达到此次数且均未获书面答复 → 红A",
    "repeat_window_days": "在此天数内统计上一项的重复信访次数",
    "long_standing_days": "事项超过此天数未化解 → 橙B",
    "due_soon_days": "法定期限在此天数内届满 → 橙B",
    "followup_days": "书面答复后此天数内回访（绿D卡片和工作台的回访期限）",
}
NAMES = tuple(f.name for f in fields(BoardSettings))
ERROR_STYLE = "color: #b00020;"


class BoardRulesBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("看板规则", parent)
        self.ctx = ctx
        self.editable = ctx.actor.can(Permission.MANAGE_SETTINGS)
        defaults = BoardSettings()
        intro = QLabel("四色看板依据以下规则自动定色。括号中为默认值（本产品公布的看板规则）。"
                       "保存后，看板在下次打开或按F5刷新时按新规则重新计算每个人的颜色；领导调整的颜色若因此"
                       "与新规则的颜色不一致，调整自动失效。")
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #444;")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.spins: dict[str, QSpinBox] = {}
        self.errors: dict[str, QLabel] = {}
        for row, name in enumerate(NAMES):
            spin = QSpinBox()
            spin.setRange(0, 9999)           # the bounds are the domain's, checked on save
            spin.setSuffix(f" {UNITS[name]}")
            spin.setValue(getattr(defaults, name))
            spin.setReadOnly(not self.editable)
            spin.setButtonSymbols(QSpinBox.UpDownArrows if self.editable else QSpinBox.NoButtons)
            spin.setMinimumWidth(90)
            spin.setAccessibleName(SETTING_LABELS[name])
            spin.valueChanged.connect(lambda _v, n=name: self._edited(n))
            label = QLabel(f"{SETTING_LABELS[name]}：")
            label.setBuddy(spin)
            low, high = SETTING_BOUNDS[name]
            hint = QLabel(f"（默认 {getattr(defaults, name)} {UNITS[name]}，可设 {low}–{high}）{EFFECTS[name]}")
            hint.setStyleSheet("color: #555;")
            hint.setWordWrap(True)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.setVisible(False)
            grid.addWidget(label, 2 * row, 0)
            grid.addWidget(spin, 2 * row, 1)
            grid.addWidget(hint, 2 * row, 2)
            grid.addWidget(error, 2 * row + 1, 1, 1, 2)
            self.spins[name] = spin
            self.errors[name] = error
        grid.setColumnStretch(2, 1)
        self.save = QPushButton("保存看板规则(&S)")
        self.save.clicked.connect(self.save_rules)
        self.defaults = QPushButton("恢复默认值")
        self.defaults.setToolTip("把各项填回默认值；点“保存看板规则”后生效")
        self.defaults.clicked.connect(self.restore_defaults)
        for b in (self.save, self.defaults):
            b.setEnabled(self.editable)
        self.message = QLabel("" if self.editable else "只有管理员可以修改看板规则；这里显示正在使用的规则。")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.defaults)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.refresh()

    def showEvent(self, event) -> None:
        # Back on the settings page: show the rules in force (another admin may have saved).
        super().showEvent(event)
        self.refresh()

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        svc = self.ctx.services.get(BoardService)
        self.ctx.tasks.run(svc.settings, on_done=self._show, on_error=self._failed, writes=False, owner=self)

    def _show(self, settings: BoardSettings) -> None:
        for name, spin in self.spins.items():
            spin.blockSignals(True)
            spin.setValue(getattr(settings, name))
            spin.blockSignals(False)
        self._clear_errors()

    def values(self) -> dict[str, int]:
        return {name: spin.value() for name, spin in self.spins.items()}

    # -- editing -------------------------------------------------------------------------
    def restore_defaults(self) -> None:
        defaults = BoardSettings()
        for name, spin in self.spins.items():
            spin.setValue(getattr(defaults, name))

    def _edited(self, name: str) -> None:
        self.errors[name].setVisible(False)
        if self.editable:
            self.message.setStyleSheet("color: #555;")
            self.message.setText("已修改，尚未保存。")

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear()
            error.setVisible(False)

    def save_rules(self) -> None:
        if not self.editable:
            return
        self._clear_errors()
        values = self.values()
        svc = self.ctx.services.get(BoardService)
        actor = self.ctx.actor
        self.save.setEnabled(False)
        self.message.setText("正在保存…")
        self.ctx.tasks.run(lambda: svc.save_settings(actor, **values), on_done=self._saved, on_error=self._failed,
                           writes=True, owner=self)

    def _saved(self, settings: BoardSettings) -> None:
        self.save.setEnabled(True)
        self._show(settings)
        self.message.setStyleSheet("color: #1d5e2c;")
        self.message.setText("看板规则已保存。看板在下次打开或刷新时按新规则重新计算。")

    def _failed(self, exc: BaseException, details: str) -> None:
        self.save.setEnabled(self.editable)
        field = getattr(exc, "field", None)
        if isinstance(exc, InvalidInput) and field in self.errors:
            # The domain's message, next to the field it is about; the value stays for correcting.
            self.errors[field].setText(exc.message)
            self.errors[field].setVisible(True)
            self.spins[field].setFocus()
            self.spins[field].selectAll()
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText("没有保存：请按提示改正后再保存。")
        else:
            self.message.setText("")
            show_error(self, exc, details)
