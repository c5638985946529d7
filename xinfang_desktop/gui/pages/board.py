"""看板: the four-colour attention board — four columns of matter cards, filters, print.

One card per matter (信访事项): a group visit is one card naming its petitioners. The toggle
「按人员查看」 regroups the same facts by person, for finding a person's matters; the printout
is always by matter. Cards are painted by a delegate over a list model, so 10,000 cards cost only
those on screen. Each column and each card carries a shape and the colour's name and letter, so
the board reads without telling red from green, and in black and white.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QHBoxLayout, QLabel, QListView, QMenu,
                               QPushButton, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget)

from ...domain.board import BoardSettings, Colour, colour_meanings, is_long_standing
from ...services.board import Board, BoardFilter, BoardService, BoardView, matches
from ...services.board_cards import Card, MatterCard
from ...services.attention import LEADER_ROLES, HardshipService, OwnershipService
from ...services.permissions import Permission
from ..attention_forms import Field, FormDialog
from ..context import AppContext
from ..errors import show_error
from ..busy_panel import BusyPanel
from ..refresh import refresh_on_change
from ..tasks import OTHER

PAGE_KEY = "board"

BACKGROUND = {Colour.RED: QColor("#fbe3e3"), Colour.ORANGE: QColor("#fdebd6"), Colour.YELLOW: QColor("#fff6cc"),
              Colour.GREEN: QColor("#e3f4e6")}
ACCENT = {Colour.RED: QColor("#b3261e"), Colour.ORANGE: QColor("#b35c00"), Colour.YELLOW: QColor("#8a6d00"),
          Colour.GREEN: QColor("#2e7d32")}

def help_text(s: BoardSettings) -> str:
    """The rules as published, with the thresholds in force (设置 → 看板规则)."""
    return ("每张卡片是一件信访事项（集体访为一件，列出其信访人），颜色表示诉求的紧急程度，依据事项事实按公开规则自动生成："
            f"▲红 期限已过、集体访未结、{s.repeat_window_days}日内同一事项信访{s.repeat_count}次以上未获书面答复"
            f"或有急难情况；◆橙 领导包案、超过{s.long_standing_days}天未化解或复查复核仍有争议、"
            f"{s.due_soon_days}日内到期；●黄 正在按期办理（含调解中）；"
            "○绿 已答复，只待回访。回访后事项离开看板。领导可写明理由调整事项的颜色，事实变化后调整自动失效。"
            "“按人员查看”仅用于查找某人的事项。本看板只反映诉求办理情况，不记录信访人的行踪，不设任何限制信访的标记。")


HELP = help_text(BoardSettings())

CARD_MARGIN = 4
PAD = 8


class CardModel(QAbstractListModel):
    """Cards of one colour, handed to the view a page at a time.

    The view measures every row it holds to lay the column out, and a card's height depends on
    its wrapped reasons, so a column of 3,000 people would be measured in full before a single
    card shows. The model therefore offers the first PAGE cards and the view asks for the next
    page (fetchMore) when the column is scrolled to its end. `cards` is the whole column; the
    header counts all of them. Text lines are prepared once per card."""

    CardRole = Qt.UserRole + 1
    PAGE = 12                        # a column shows six to ten cards; the view asks for more to fill

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cards: list[Card] = []
        self.loaded = 0
        self._lines: dict[int, list[tuple[str, str]]] = {}

    def set_cards(self, cards: list[Card], at_least: int = 0) -> None:
        """The column's cards, the first PAGE handed to the view (or `at_least`: a reload keeps what was
        scrolled through)."""
        self.beginResetModel()
        self.cards = cards
        self.loaded = min(len(cards), max(self.PAGE, at_least))
        self._lines = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.loaded

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.loaded < len(self.cards)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.loaded >= len(self.cards):
            return
        more = min(len(self.cards), self.loaded + self.PAGE)
        self.beginInsertRows(QModelIndex(), self.loaded, more - 1)
        self.loaded = more
        self.endInsertRows()

    def lines(self, row: int) -> list[tuple[str, str]]:
        got = self._lines.get(row)
        if got is None:
            got = self._lines[row] = card_lines(self.cards[row])
        return got

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        card = self.cards[index.row()]
        if role == Qt.DisplayRole:
            return "\n".join(t for _k, t in self.lines(index.row()))
        if role == Qt.ToolTipRole:
            g = card.grade
            extra = [f"原因：{r}" for r in g.reasons] + [f"其他情况：{r}" for r in g.other_reasons]
            extra += [f"信访：{m.number}（{m.status.label}）" for m in g.matters]
            if isinstance(card, MatterCard):
                extra += [f"按人员的早期调整（不适用于事项）：{t}" for t in card.earlier_override_texts()]
                return "\n".join(extra + ["单击打开事项；右键可打开其他信访、调整颜色"])
            return "\n".join(extra + ["单击打开事项；右键可打开其他事项"])
        if role == Qt.AccessibleTextRole:
            return "\n".join(t for _k, t in self.lines(index.row()))
        if role == self.CardRole:
            return card
        return None


def card_lines(card: Card) -> list[tuple[str, str]]:
    """(style, text) lines of a card. A matter: head (colour, category), its number, its parties
    and request, who owns it; a person (the grouping by person): head, masked ID and place, matters
    and owner. Then every reason, an override, the next step with its date."""
    g = card.grade
    if isinstance(card, MatterCard):
        several = f"（含信访{len(g.matters)}件）" if len(g.matters) > 1 else ""
        out = [("head", f"{g.colour.title}　{card.category}"),
               ("dim", f"{card.number}{several}"),
               ("dim", f"{card.parties}：{card.request}"),
               ("dim", f"责任：{card.owner_text()}")]
    else:
        out = [("head", f"{g.colour.title}　{card.name}"),
               ("dim", f"{card.id_masked or '无身份证号'}　{card.place or '—'}"),
               ("dim", f"未结事项{len(g.matters)}件　包案：{g.owner or '未包案'}")]
    out += [("reason", f"· {r}") for r in card.reason_texts()]
    if g.override is not None:
        whose = "" if isinstance(card, MatterCard) else "按人员"
        out.append(("override", f"✎ 领导{whose}调整（按规则为{g.computed.title}）：{g.override.reason}"
                                f"（{g.override.by} {g.override.on:%m-%d}）"))
    when = f"{g.next_date:%Y-%m-%d} " if g.next_date else ""
    out.append(("next", f"下一步：{when}{card.next_step_text() or '—'}"))
    return out


WRAPPED = ("reason", "override", "next")


class CardDelegate(QStyledItemDelegate):
    """Paints a card. Reasons, an override and the next step wrap (a leader must read all of
    them); the head and place lines are elided. A card's height is measured once per width (the
    model hands the view only the cards it has paged in), with the same wrapping the painting
    uses, so a card is neither clipped nor padded."""

    def __init__(self, colour: Colour, view: QListView):
        super().__init__(view)
        self.colour = colour
        self.view = view
        self._heights: dict[int, int] = {}       # row → height, at _heights_width
        self._heights_width = -1
        view.model().modelReset.connect(self._heights.clear)

    def _text_width(self) -> int:
        return max(80, self.view.viewport().width() - 2 * CARD_MARGIN - 2 * PAD - 4)

    @staticmethod
    def _rows(fm: QFontMetrics, kind: str, text: str, width: int) -> int:
        if kind not in WRAPPED:
            return 1
        # Measured with the flags paint() draws with. Word wrap follows the Unicode line-break rules: CJK
        # text breaks between characters, a date or a case number stays whole.
        height = fm.boundingRect(QRect(0, 0, width, 100_000), Qt.AlignLeft | Qt.TextWordWrap, text).height()
        return max(1, round(height / fm.lineSpacing()))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        width = self._text_width()
        if width != self._heights_width:
            self._heights.clear()
            self._heights_width = width
        row = index.row()
        height = self._heights.get(row)
        if height is None:
            model: CardModel = index.model()
            fm = QFontMetrics(option.font)
            rows = sum(self._rows(fm, k, t, width) for k, t in model.lines(row))
            height = self._heights[row] = rows * (fm.height() + 2) + 2 * PAD + 2 * CARD_MARGIN
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        model: CardModel = index.model()
        lines = model.lines(index.row())
        card: Card = model.cards[index.row()]
        colour = card.colour
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        rect = option.rect.adjusted(CARD_MARGIN, CARD_MARGIN, -CARD_MARGIN, -CARD_MARGIN)
        selected = bool(option.state & QStyle.State_Selected)
        painter.setPen(QPen(ACCENT[colour], 2.5 if selected else 1))
        painter.setBrush(BACKGROUND[colour])
        painter.drawRoundedRect(rect, 6, 6)
        # A bar in the colour on the left; the shape and words say the same in text.
        painter.fillRect(QRect(rect.left() + 1, rect.top() + 6, 5, rect.height() - 12), ACCENT[colour])
        base = QFont(option.font)
        bold = QFont(option.font)
        bold.setBold(True)
        fm = QFontMetrics(base)
        line_h = fm.height() + 2
        x = rect.left() + PAD + 4
        width = rect.width() - PAD * 2 - 4
        y = rect.top() + PAD
        for kind, text in lines:
            painter.setFont(bold if kind == "head" else base)
            painter.setPen(ACCENT[colour] if kind in ("head", "override") else
                           QColor("#555") if kind == "dim" else QColor("#111"))
            if kind in WRAPPED:
                rows = self._rows(fm, kind, text, width)
                painter.drawText(QRect(x, y, width, rows * line_h), Qt.AlignLeft | Qt.TextWordWrap, text)
                y += rows * line_h
            else:
                shown = QFontMetrics(painter.font()).elidedText(text, Qt.ElideRight, width)
                painter.drawText(QRect(x, y, width, line_h), Qt.AlignLeft | Qt.AlignVCenter, shown)
                y += line_h
        painter.restore()


def card_key(card: Card) -> str:
    """What a card stands for across reloads: its person (按人员查看) or its matter."""
    return getattr(card, "person_id", None) or card.grade.primary_case_id or ""


class BoardColumn(QWidget):
    open_card = Signal(object)
    context_card = Signal(object, object)

    def __init__(self, colour: Colour, parent=None):
        super().__init__(parent)
        self.colour = colour
        self.header = QLabel()
        self.header.setStyleSheet(f"background: {BACKGROUND[colour].name()}; color: {ACCENT[colour].name()};"
                                  f"border: 2px solid {ACCENT[colour].name()}; border-radius: 4px;"
                                  "font-size: 13pt; font-weight: bold; padding: 6px;")
        self.header.setToolTip(colour.meaning)
        self.model = CardModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CardDelegate(colour, self.view))
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.view.setResizeMode(QListView.Adjust)        # re-measure wrapped lines on resize
        # A scroll bar that comes and goes would change the width the heights were measured at.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setMouseTracking(True)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.clicked.connect(lambda ix: self.open_card.emit(self.model.cards[ix.row()]))
        self.view.activated.connect(lambda ix: self.open_card.emit(self.model.cards[ix.row()]))
        self.view.customContextMenuRequested.connect(self._menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        self.set_cards([])

    def set_cards(self, cards: list[Card], unit: str = "件", *, keep: bool = False) -> None:
        """Show `cards`; `keep` (a reload): the card at the top of the column stays where it was, and the
        card the keyboard was on stays current, wherever new cards came in or old ones went."""
        model = self.model
        place = self._place() if keep else None
        model.set_cards(cards, at_least=model.loaded if keep else 0)
        c = self.colour
        self.header.setText(f"{c.title}　{len(cards)}{unit}")
        if place is not None:
            self._restore(*place)

    def _place(self) -> tuple[str | None, str | None, int, int]:
        view, cards = self.view, self.model.cards
        top = view.indexAt(view.viewport().rect().topLeft())
        current = view.currentIndex()
        return (card_key(cards[current.row()]) if current.isValid() else None,
                card_key(cards[top.row()]) if top.isValid() else None,
                view.visualRect(top).top() if top.isValid() else 0, view.verticalScrollBar().value())

    def _restore(self, current: str | None, top: str | None, offset: int, value: int) -> None:
        view, model = self.view, self.model
        rows = {card_key(card): i for i, card in enumerate(model.cards)}
        while top in rows and rows[top] >= model.loaded and model.canFetchMore():
            model.fetchMore()
        view.doItemsLayout()              # the heights of the cards now in, before the scroll bar is set
        if current in rows and rows[current] < model.loaded:
            view.selectionModel().setCurrentIndex(model.index(rows[current]), QItemSelectionModel.NoUpdate)
        bar = view.verticalScrollBar()
        if top in rows:
            bar.setValue(bar.value() + view.visualRect(model.index(rows[top])).top() - offset)
        else:
            bar.setValue(value)

    def _menu(self, pos) -> None:
        ix = self.view.indexAt(pos)
        if ix.isValid():
            self.context_card.emit(self.model.cards[ix.row()], self.view.viewport().mapToGlobal(pos))


class BoardPage(QWidget):
    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.board: Board | None = None
        self.filter = BoardFilter()
        self.view = BoardView.MATTER
        self.is_leader = ctx.actor.role in LEADER_ROLES

        title = QLabel("四色看板")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.help = QLabel(HELP)
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #444;")
        self.township = QComboBox()
        self.township.addItem("全部乡镇", None)
        for t in ctx.services.divisions.townships():
            self.township.addItem(t.name, t.code)
        self.leader = QComboBox()
        self.leader.addItem("全部包案领导", None)
        self.leader.addItem("未包案", "")
        for u in ctx.services.get(OwnershipService).leaders():
            self.leader.addItem(u.display_name, u.display_name)
        self.category = QComboBox()
        self.category.addItem("全部问题类别", None)
        for c in ctx.services.categories.top_level():
            self.category.addItem(c.name, c.code)
        self.colour = QComboBox()
        self.colour.addItem("全部颜色", None)
        for c in Colour:
            self.colour.addItem(f"{c.title}", c.value)
        for combo in (self.township, self.leader, self.category, self.colour):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.refresh_button = QPushButton("刷新(&F5)")
        self.refresh_button.setShortcut("F5")
        self.refresh_button.clicked.connect(self.reload)
        self.print_button = QPushButton("打印看板(&P)")
        self.print_button.setToolTip("需领导关注的信访事项，A4横向，供领导碰头会使用；按事项排列，不含身份证号码、住址和村居")
        self.print_button.clicked.connect(self.print_board)
        self.count_label = QLabel("正在计算…")
        # The board is by matter; the grouping by person is for finding a person's matters.
        self.by_matter = QPushButton("按事项查看(&M)")
        self.by_person = QPushButton("按人员查看(&R)")
        self.by_person.setToolTip("按信访人归集其事项，用于查找某人的事项；打印仍按事项")
        self.views = QButtonGroup(self)
        for view, button in ((BoardView.MATTER, self.by_matter), (BoardView.PERSON, self.by_person)):
            button.setCheckable(True)
            self.views.addButton(button)
            button.clicked.connect(lambda _checked=False, v=view: self.set_view(v))
        self.by_matter.setChecked(True)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.by_matter)
        top.addWidget(self.by_person)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.refresh_button)
        self.busy = BusyPanel(width=110)
        top.addWidget(self.busy)
        top.addWidget(self.print_button)
        # The filters on a row of their own, their boxes as wide as a short name: the whole board fits
        # a 1280-pixel screen (a long category's name shows in full when the list opens).
        filters = QHBoxLayout()
        for combo in (self.township, self.leader, self.category, self.colour):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        for w in (QLabel("乡镇："), self.township, QLabel("包案："), self.leader, QLabel("类别："), self.category,
                  QLabel("颜色："), self.colour):
            filters.addWidget(w)
        filters.addStretch(1)

        self.columns = {c: BoardColumn(c) for c in Colour}
        cols = QHBoxLayout()
        cols.setSpacing(6)
        for column in self.columns.values():
            column.open_card.connect(self.open_card)
            column.context_card.connect(self._card_menu)
            cols.addWidget(column, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.help)
        layout.addLayout(cols, 1)
        self.reload()
        refresh_on_change(self, ctx.tasks, self.reload, on_show=False)     # showing it recomputes it

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, view = self.ctx, self.view
        self.count_label.setText("正在计算…")
        ctx.tasks.run(lambda: ctx.services.get(BoardService).board(ctx.actor, view=view), writes=False,
                      on_done=self._loaded, on_error=self._failed, owner=self)

    def set_view(self, view: BoardView) -> None:
        """By matter or by person: the same facts regrouped, computed again in the background."""
        if view is self.view:
            return
        self.view = view
        (self.by_matter if view is BoardView.MATTER else self.by_person).setChecked(True)
        self.reload()

    def showEvent(self, event) -> None:
        # Coming back to the board (after acting on a case): recompute, in the background.
        super().showEvent(event)
        if self.board is not None:
            self.reload()

    def _failed(self, exc: BaseException, details: str) -> None:
        self.count_label.setText("无法计算看板")
        show_error(self, exc, details)

    def _loaded(self, board: Board) -> None:
        if board.view is not self.view:
            return                      # computed for the grouping the user just left
        if self.board is None or board.settings != self.board.settings:
            self.help.setText(help_text(board.settings))
            for colour, meaning in colour_meanings(board.settings).items():
                self.columns[colour].header.setToolTip(meaning)
        same_view = self.board is not None and self.board.view is board.view
        self.board = board
        self.apply_filter(keep=same_view)

    def current_filter(self) -> BoardFilter:
        colour = self.colour.currentData()
        return BoardFilter(township=self.township.currentData(), leader=self.leader.currentData(),
                           category=self.category.currentData(), colour=Colour(colour) if colour else None)

    def apply_filter(self, keep: bool = False) -> None:
        """Show the board's cards that pass the filters; `keep` (a reload): each column where it was."""
        if self.board is None:
            return
        self.filter = self.current_filter()
        shown = self.board.cards if self.filter == BoardFilter() else \
            [c for c in self.board.cards if matches(c, self.filter, self.ctx.services.categories)]
        by: dict[Colour, list[Card]] = {c: [] for c in Colour}
        for card in shown:
            by[card.colour].append(card)
        unit = self.board.view.unit
        for colour, column in self.columns.items():
            column.set_cards(by[colour], unit, keep=keep)
            column.setVisible(self.filter.colour in (None, colour))
        self.count_label.setText(f"{self.board.today:%Y-%m-%d}　{self.board.view.label}　共{len(shown)}{unit}")

    def visible_cards(self, colour: Colour) -> list[Card]:
        return self.columns[colour].model.cards

    # -- acting on a card ----------------------------------------------------------------
    def open_card(self, card: Card) -> None:
        if self.window_ is not None and card.grade.primary_case_id:
            self.window_.open_case(card.grade.primary_case_id)

    def _card_menu(self, card: Card, global_pos) -> None:
        menu = QMenu(self)
        menu.addAction("打开事项", lambda: self.open_card(card))
        if len(card.grade.matters) > 1:
            sub = menu.addMenu("打开其他信访" if isinstance(card, MatterCard) else "打开其他事项")
            for m in card.grade.matters:
                sub.addAction(f"{m.number}（{m.status.label}）",
                              lambda cid=m.case_id: self.window_ and self.window_.open_case(cid))
        if isinstance(card, MatterCard):
            act = menu.addAction("调整颜色…", lambda: self.override_dialog(card))
            act.setEnabled(self.is_leader)
            if card.grade.override is not None:
                menu.addAction("撤销领导调整", lambda: self._withdraw(card)).setEnabled(self.is_leader)
            people = [(p.person_id, p.name) for p in card.petitioners]
        else:
            # New adjustments hang on a matter; an earlier one on this person can still be withdrawn.
            if card.grade.override is not None:
                menu.addAction("撤销按人员的调整", lambda: self._withdraw(card)).setEnabled(self.is_leader)
            people = [(card.person_id, card.name)]
        long = [r for r in (*card.grade.reasons, *card.grade.other_reasons) if is_long_standing(r)]
        if long and self.window_ is not None:
            # The "long-standing" reason leads to the 积案 register, where such a matter is decided on.
            menu.addAction("积案台账…", lambda n=long[0].case_number: self.window_.show_backlog(n))
        can_note = self.ctx.actor.can(Permission.NOTE)
        hs = self.ctx.services.get(HardshipService)
        for person_id, name in people:
            for flag in hs.of_person(person_id, open_only=True):
                who = f"（{name}）" if len(people) > 1 else ""
                sub = menu.addMenu(f"急难：{flag.kind.label}{who}")
                sub.addAction("转介社会救助或司法救助…", lambda f=flag: self.referral_dialog(f)).setEnabled(can_note)
                sub.addAction("解除急难标记…", lambda f=flag: self.clear_hardship_dialog(f)).setEnabled(can_note)
        menu.popup(global_pos)

    def referral_dialog(self, flag) -> FormDialog:
        """第三十七条: refer the person to social or judicial assistance, and later record the outcome."""
        hs = self.ctx.services.get(HardshipService)
        open_ref = next((r for r in flag.referrals if r.outcome is None), None)
        if open_ref is not None:
            fields = [Field("outcome", "救助结果(&O)", "text", True, placeholder="如：已发放临时救助金2000元")]
            submit = (lambda v: hs.referral_outcome(self.ctx.actor, open_ref.id, v["outcome"]))
            head = f"{flag.person_name}　已于{open_ref.referred_on.isoformat()}转介{open_ref.agency}（{open_ref.kind_label}），记录结果："
        else:
            fields = [Field("kind", "救助类别(&K)", "choice", True, (("social", "社会救助"), ("judicial", "司法救助"))),
                      Field("agency", "救助机构(&A)", "line", True, placeholder="如：镇民政办、市法律援助中心"),
                      Field("note", "说明(&N)", "text")]
            submit = (lambda v: hs.refer(self.ctx.actor, flag.id, v["kind"], v["agency"], note=v["note"]))
            head = f"{flag.person_name}　急难情况：{flag.kind.label}　{flag.note}"
        dialog = FormDialog(self, self.ctx, f"救助转介 — {flag.person_name}", fields, submit, head=head)
        dialog.saved.connect(lambda _r: self.reload())
        dialog.open()
        return dialog

    def clear_hardship_dialog(self, flag) -> FormDialog:
        hs = self.ctx.services.get(HardshipService)
        dialog = FormDialog(self, self.ctx, f"解除急难标记 — {flag.person_name}",
                            [Field("reason", "解除理由(&R)", "text", True, placeholder="如：工资已结清")],
                            lambda v: hs.clear(self.ctx.actor, flag.id, v["reason"]),
                            head=f"{flag.person_name}　急难情况：{flag.kind.label}　{flag.note}")
        dialog.saved.connect(lambda _r: self.reload())
        dialog.open()
        return dialog

    def override_dialog(self, card: MatterCard) -> FormDialog:
        """A leader raises or lowers a matter's colour, with the reason written down."""
        svc = self.ctx.services.get(BoardService)
        g = card.grade
        choices = tuple((c.value, f"{c.title}") for c in Colour if c != g.computed)
        fields = [Field("colour", "调整为(&C)", "choice", True, choices),
                  Field("reason", "理由(&R)", "text", True, placeholder="写明调整的理由，将显示在卡片上并记入日志")]
        head = (f"{card.number}　{card.category}　{card.parties}　按规则为{g.computed.title}\n"
                + "\n".join(f"· {r}" for r in card.reason_texts()) + "\n事实变化使按规则的颜色改变时，调整自动失效。")
        dialog = FormDialog(self, self.ctx, f"调整颜色 — {card.number}", fields,
                            lambda v: svc.override(self.ctx.actor, card.case_id, v["colour"], v["reason"]), head=head)
        dialog.saved.connect(lambda _c: self.reload())
        dialog.open()
        return dialog

    def _withdraw(self, card: Card) -> None:
        svc, actor = self.ctx.services.get(BoardService), self.ctx.actor
        work = ((lambda: svc.withdraw_override(actor, card.case_id)) if isinstance(card, MatterCard)
                else (lambda: svc.withdraw_person_override(actor, card.person_id)))
        self.ctx.tasks.run(work, on_done=lambda _r: self.reload(),
                           on_error=lambda e, t: show_error(self, e, t), writes=True, owner=self)

    # -- printing ------------------------------------------------------------------------
    def filter_text(self) -> str:
        parts = []
        for label, combo in (("乡镇", self.township), ("包案", self.leader), ("类别", self.category),
                             ("颜色", self.colour)):
            if combo.currentData() is not None:
                parts.append(f"{label}：{combo.currentText()}")
        return "；".join(parts)

    def print_board(self) -> None:
        from ..print_preview import show_document

        ctx, f, text = self.ctx, self.current_filter(), self.filter_text()
        self.busy.start(self.print_button, "正在生成看板…", measured=False)

        def shown(rendered) -> None:
            self.busy.stop(self.print_button)
            self.preview = show_document(self, rendered, file_name=f"四色看板-{ctx.services.clock.today():%Y-%m-%d}.pdf")

        def failed(exc: BaseException, details: str) -> None:
            self.busy.stop(self.print_button)
            show_error(self, exc, details)

        ctx.tasks.run(lambda: ctx.services.get(BoardService).print_board(ctx.actor, f, text), writes=True, changes=OTHER,
                      on_done=shown, on_error=failed, owner=self)


def create(ctx: AppContext, window) -> QWidget:
    return BoardPage(ctx, window)
