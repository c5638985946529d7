"""数据恢复码: the one-page sheet printed when a data folder is set up (or first encrypted), to be kept in
the office safe. With it, and the data, anyone can open everything: it is never printed again."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Spacer, Table, TableStyle

from .fonts import get_fonts
from .layout import LEADING, TEXT_W, RenderedDocument, Styles, Writer, build, fmt_date


def recovery_sheet(unit_name: str, unit_code: str, code: str, admin: str, on: date) -> bytes:
    return render_recovery_sheet(unit_name, unit_code, code, admin, on).pdf


def render_recovery_sheet(unit_name: str, unit_code: str, code: str, admin: str, on: date) -> RenderedDocument:
    fonts = get_fonts()
    w, st = Writer(fonts, False), Styles(fonts)
    title = "数据恢复码"
    big = ParagraphStyle("code", parent=st.cell, fontName=fonts.body, fontSize=20, leading=30, alignment=1)
    story = [w.title(title, st.title)]
    story.append(w.p(f"{unit_name}（{unit_code}）的信访工作平台数据加密保存在本单位电脑上。下面的恢复码是在所有用户的"
                     "密码都忘记时打开数据的唯一办法。", st.body))
    story.append(Spacer(1, LEADING * 0.5))
    box = Table([[w.p([("恢复码", code)], big)]], colWidths=[TEXT_W], style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 14), ("BOTTOMPADDING", (0, 0), (-1, -1), 14)]))
    story.append(box)
    story.append(Spacer(1, LEADING * 0.5))
    for line in (
            "一、本页请存放在办公室的保险柜（或上锁的文件柜）里，不要拍照，不要存放在电脑或U盘上。",
            "二、持有恢复码和数据（或其备份）的人可以看到全部信访人的个人信息：请像保管公章一样保管本页。",
            "三、所有密码都忘记时，由管理员用恢复码重设密码：命令 xinfang user reset-password 用户名 "
            "--recovery-code 恢复码；从备份恢复到新电脑时，也可以用它打开备份。",
            "四、恢复码和所有密码都丢失，数据将无法找回，任何人（包括软件开发者）都无法解密。",
    ):
        story.append(w.p(line, st.body))
    story.append(Spacer(1, LEADING))
    story.append(w.p(f"生成日期：{fmt_date(on)}　　经办管理员：{admin}", st.body))
    story.append(w.p("保管人签字：＿＿＿＿＿＿＿＿　　存放位置：＿＿＿＿＿＿＿＿＿＿＿＿", st.body))
    return build(title, story, w, author=unit_name, subject=unit_code)
