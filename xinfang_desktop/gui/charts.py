"""Small chart widgets drawn with QPainter (QtCharts is not in PySide6-Essentials): horizontal bars
(this period beside the same period a year earlier) and a line over months."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

NOW = QColor("#2f6db5")
EARLIER = QColor("#b7c9e2")
PEOPLE = QColor("#c0392b")
GRID = QColor("#e3e3e3")
TEXT = QColor("#222222")
MUTED = QColor("#666666")


def nice_max(value: float) -> float:
    if value <= 5:
        return 5
    import math
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _begin(widget: QWidget, title: str) -> tuple[QPainter, QFont, QFontMetrics]:
    """A painter on a white chart with its bold title drawn; the widget's font and metrics."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.Antialiasing)
    p.fillRect(widget.rect(), Qt.white)
    font = QFont(widget.font())
    bold = QFont(font)
    bold.setBold(True)
    p.setFont(bold)
    p.setPen(TEXT)
    p.drawText(QRectF(8, 4, widget.width() - 16, 22), Qt.AlignLeft | Qt.AlignVCenter, title)
    return p, font, QFontMetrics(font)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    earlier: int | None = None


class BarChart(QWidget):
    """Horizontal bars, largest first; a pale bar for the same period a year earlier when given."""

    ROW = 24
    PAIRED_ROW = 36       # this period and a year earlier: two bars, each with its value at its own end

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.bars: list[Bar] = []
        self.empty_text = "本期没有数据"
        self.value_marks: list[tuple[str, QRectF, QRectF]] = []   # (value, its bar, its text) as last drawn
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMinimumWidth(360)
        self._resize()

    def set_bars(self, bars: list[Bar], title: str | None = None) -> None:
        self.bars = sorted((b for b in bars if b.value or b.earlier), key=lambda b: (-b.value, -(b.earlier or 0)))
        if title is not None:
            self.title = title
        self._resize()
        self.update()

    def _row(self) -> int:
        return self.PAIRED_ROW if any(b.earlier is not None for b in self.bars) else self.ROW

    def _resize(self) -> None:
        self.setFixedHeight(max(120, 56 + self._row() * max(1, len(self.bars))))

    def sizeHint(self) -> QSize:
        return QSize(520, self.height())

    def paintEvent(self, event) -> None:
        p, font, fm = _begin(self, self.title)
        has_earlier = any(b.earlier is not None for b in self.bars)
        if has_earlier:
            self._legend(p, fm)
        p.setFont(font)
        if not self.bars:
            p.setPen(MUTED)
            p.drawText(QRectF(0, 30, self.width(), self.height() - 30), Qt.AlignCenter, self.empty_text)
            return
        label_w = min(max(fm.horizontalAdvance(b.label) for b in self.bars) + 12, self.width() * 0.38)
        value_w = fm.horizontalAdvance("00000") + 8
        left, top = 8 + label_w, 34
        width = max(40.0, self.width() - left - value_w - 12)
        top_value = nice_max(max(max(b.value, b.earlier or 0) for b in self.bars))
        # grid lines at fifths
        p.setPen(QPen(GRID, 1))
        row_h = self._row()
        bottom = top + row_h * len(self.bars)
        for i in range(6):
            x = left + width * i / 5
            p.drawLine(QPointF(x, top - 2), QPointF(x, bottom))
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        self.value_marks = []
        for row, b in enumerate(self.bars):
            y = top + row * row_h
            p.setFont(font)
            p.setPen(TEXT)
            text = fm.elidedText(b.label, Qt.ElideRight, int(label_w - 8))
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignRight | Qt.AlignVCenter, text)
            h = row_h - 8
            # each value at the end of its own bar: this period's on the upper bar, a year earlier's below
            own = [(b.value, NOW, TEXT)] + ([(b.earlier or 0, EARLIER, MUTED)] if has_earlier else [])
            h_each = h / len(own)
            p.setFont(small if has_earlier else font)
            for k, (value, colour, pen) in enumerate(own):
                bar_y = y + 4 + k * h_each
                end = width * value / top_value
                bar = QRectF(left, bar_y, end, h_each)
                p.fillRect(bar, colour)
                p.setPen(pen)
                where = QRectF(left + end + 4, bar_y + h_each / 2 - 9, value_w + 40, 18)
                p.drawText(where, Qt.AlignLeft | Qt.AlignVCenter, str(value))
                self.value_marks.append((str(value), bar, p.boundingRect(where, Qt.AlignLeft | Qt.AlignVCenter,
                                                                         str(value))))
        p.setFont(font)
        p.setPen(MUTED)
        for i in range(6):
            x = left + width * i / 5
            p.drawText(QRectF(x - 30, bottom + 2, 60, 16), Qt.AlignHCenter | Qt.AlignTop, f"{top_value * i / 5:g}")

    def _legend(self, p: QPainter, fm: QFontMetrics) -> None:
        x = self.width() - 8
        for color, text in ((EARLIER, "上年同期"), (NOW, "本期")):   # drawn right to left
            w = fm.horizontalAdvance(text)
            x -= w
            p.setPen(TEXT)
            p.drawText(QRectF(x, 6, w, 18), Qt.AlignVCenter, text)
            x -= 16
            p.fillRect(QRectF(x, 10, 12, 10), color)
            x -= 14


class LineChart(QWidget):
    """批次 and 人次 over months, with the value at each point."""

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.labels: list[str] = []
        self.series: list[tuple[str, list[int], QColor]] = []
        self.point_marks: list[tuple[int, int, QRectF]] = []     # (series, month, the value's text) as last drawn
        self.setMinimumHeight(240)
        self.setMinimumWidth(360)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setFixedHeight(260)

    def set_data(self, labels: list[str], series: list[tuple[str, list[int], QColor]], title: str | None = None):
        self.labels, self.series = labels, series
        if title is not None:
            self.title = title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(620, 260)

    def paintEvent(self, event) -> None:
        p, font, fm = _begin(self, self.title)
        p.setFont(font)
        x = self.width() - 8
        for name, _, color in reversed(self.series):
            w = fm.horizontalAdvance(name)
            x -= w
            p.setPen(TEXT)
            p.drawText(QRectF(x, 6, w, 18), Qt.AlignVCenter, name)
            x -= 20
            p.setPen(QPen(color, 2))
            p.drawLine(QPointF(x, 15), QPointF(x + 16, 15))
            x -= 14
        if not self.labels:
            return
        left, top = fm.horizontalAdvance("00000") + 12, 40
        right, bottom = self.width() - 16, self.height() - 28
        top_value = nice_max(max((max(v) for _, v, _ in self.series if v), default=0))
        p.setPen(QPen(GRID, 1))
        for i in range(6):
            y = bottom - (bottom - top) * i / 5
            p.drawLine(QPointF(left, y), QPointF(right, y))
            p.setPen(MUTED)
            p.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignRight | Qt.AlignVCenter, f"{top_value * i / 5:g}")
            p.setPen(QPen(GRID, 1))
        n = len(self.labels)
        step = (right - left) / max(1, n)

        def at(i: int, v: int) -> QPointF:
            return QPointF(left + step * (i + 0.5), bottom - (bottom - top) * v / top_value)

        p.setPen(MUTED)
        every = 1 if n <= 12 else 2
        for i, label in enumerate(self.labels):
            if i % every == 0:
                p.drawText(QRectF(left + step * i - 10, bottom + 4, step + 20, 18), Qt.AlignHCenter | Qt.AlignTop,
                           label)
        # At each month the highest value is labelled above its point and the others below theirs, so
        # labels never sit on each other where the lines come close; where there is no room below (near
        # the axis) a label goes above the one over it.
        places: dict[tuple[int, int], QRectF] = {}
        h = fm.height() + 1                  # a label's height at the font in use (Ctrl + makes it larger)
        for i in range(n):
            ranked = sorted((s for s in range(len(self.series)) if i < len(self.series[s][1])),
                            key=lambda s: -self.series[s][1][i])
            taken_top = None
            for rank, s in enumerate(ranked):
                pt = at(i, self.series[s][1][i])
                if rank == 0:
                    rect = QRectF(pt.x() - 30, pt.y() - h - 4, 60, h)
                    taken_top = rect.top()
                elif pt.y() + 5 + h <= bottom:
                    rect = QRectF(pt.x() - 30, pt.y() + 5, 60, h)
                else:
                    rect = QRectF(pt.x() - 30, taken_top - h - 1, 60, h)
                    taken_top = rect.top()
                places[(s, i)] = rect
        self.point_marks = []
        for index, (name, values, color) in enumerate(self.series):
            path = QPainterPath()
            for i, v in enumerate(values):
                pt = at(i, v)
                path.moveTo(pt) if i == 0 else path.lineTo(pt)
            p.setPen(QPen(color, 2))
            p.setBrush(Qt.NoBrush)          # a path with a brush would be filled
            p.drawPath(path)
            for i, v in enumerate(values):
                pt = at(i, v)
                p.setBrush(color)
                p.drawEllipse(pt, 3, 3)
                p.setPen(color.darker(130))
                where, align = places[(index, i)], Qt.AlignHCenter | Qt.AlignVCenter
                p.drawText(where, align, str(v))
                self.point_marks.append((index, i, p.boundingRect(where, align, str(v))))
                p.setPen(QPen(color, 2))
