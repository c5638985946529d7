"""A realistic made-up case and details for every document: for previews, the dev script and tests.

All people, numbers and events are invented. Names use rare characters on purpose (䶮 堃 喆 玥 昇,
𠈌 from CJK Extension B, 㵘 which only the fallback font has).
"""

from __future__ import annotations

from datetime import date, datetime

from xinfang_desktop.domain.idcard import check_character

from .model import (
    AnswerDetails,
    DecisionDetails,
    DocCase,
    DocParty,
    ExtensionDetails,
    FollowUpDetails,
    NoticeDetails,
    ReceiptDetails,
    RefusalDetails,
    ReportDetails,
    ReviewDetails,
    RoutingDetails,
)


def make_id(first17: str) -> str:
    """A valid 18-character ID number from 17 digits (invented people only)."""
    return first17 + check_character(first17)


FACTS = (
    "2025年3月至2025年12月，我们6人在永福镇某茶叶加工厂务工，负责茶青收购、杀青、揉捻和包装，"
    "每天工作10小时以上，双方口头约定月工资4500元，按月发放。工厂自2025年9月起以茶叶销售回款慢为由"
    "停发工资，至今共拖欠我们6人工资合计81000元。\n"
    "我们多次找厂长谢某某协商，对方先是承诺春节前结清，后来又说要等2026年春茶上市后再付，"
    "一直拖着不给。2026年10月，工厂大门上锁，谢某某电话不接。我们家里老人要看病、孩子要交学费，"
    "生活十分困难。"
)


def sample_case(**changes) -> DocCase:
    """A group visit of 6 with 2 representatives about unpaid wages; ``changes`` override fields."""
    people = [
        DocParty("欧阳䶮", make_id("35088119700312301"), "13805971234",
                 "漳平市永福镇李庄村后巷12号", "信访人", "男", date(1970, 3, 12)),
        DocParty("张堃", make_id("35088119751120402"), "13905972345",
                 "漳平市永福镇西山村3组", "信访人", "女", date(1975, 11, 20)),
        DocParty("李喆", make_id("35088119820705303"), "15859701234",
                 "漳平市永福镇永福村新街8号", "信访人", "男", date(1982, 7, 5)),
        DocParty("王玥", make_id("35088119900218404"), None,
                 "漳平市永福镇福里村", "信访人", "女", date(1990, 2, 18)),
        DocParty("陈昇", None, "18750971111", "漳平市永福镇吕坊村", "信访人", "男", None),
        DocParty("林𠈌㵘", make_id("35088119680901503"), "13605978888",
                 "漳平市永福镇李庄村", "信访人", "男", date(1968, 9, 1)),
    ]
    reps = [
        DocParty(p.name, p.id_number, p.phone, p.address, "代表人", p.sex, p.birth_date)
        for p in (people[0], people[2])
    ]
    fields = dict(
        number="350881102-2026-00017",
        query_code="ABCD2345",
        received_at=datetime(2026, 11, 20, 9, 30),
        channel="走访",
        category="劳动和社会保障/拖欠工资",
        people_count=6,
        is_group=True,
        is_accusation=False,
        request="请求镇政府督促某茶叶加工厂支付拖欠我们6人的工资共计81000元。",
        facts=FACTS,
        reasons="我们按约定付出了劳动，工厂应当按时足额支付劳动报酬。拖欠工资已严重影响我们的生活。",
        petitioners=people,
        representatives=reps,
        concerned_unit="漳平市永福镇某茶叶加工厂",
        clerk="郭晓玲",
        office_name="漳平市永福镇信访办公室",
        office_phone="0597-7650123",
        organ_name="漳平市永福镇人民政府",
        matter="申诉求决类（第三十一条第六项：信访处理意见书）",
        entered_at=datetime(2026, 11, 20, 9, 42),
    )
    fields.update(changes)
    return DocCase(**fields)


def sample_details() -> dict[str, object]:
    """Details for each document name of :data:`xinfang_desktop.documents.DOCUMENTS`."""
    return {
        "register": None,
        "receipt": ReceiptDetails(
            handling="",
            time_limit=date(2026, 12, 7),
            contact="郭晓玲",
            doc_no="永信收〔2026〕17号",
        ),
        "notice": NoticeDetails(
            route="直接办理", unit="永福镇劳动保障事务所", matter_kind="claim", claim_item=6,
            doc_no="永信告〔2026〕12号",
        ),
        "refusal": RefusalDetails(
            kind="不予受理",
            ground="该信访事项已经受理或者正在办理，信访人在规定期限内向受理、办理机关、单位的上级机关、单位"
                   "又提出同一信访事项",
            article="《信访工作条例》第十九条第三款",
            details="该事项已由漳平市人力资源和社会保障局于2026年11月10日受理，正在办理期限内",
            redirect_to="向漳平市人力资源和社会保障局了解办理进展",
            doc_no="永信不〔2026〕2号",
        ),
        "transfer": RoutingDetails(
            kind="交办",
            receiving_unit="永福镇劳动保障事务所",
            deadline=date(2026, 12, 18),
            requirements="请核实欠薪人数和金额，督促用人单位限期支付，必要时移送劳动保障监察机构处理。",
            doc_no="永信交〔2026〕5号",
        ),
        "extension": ExtensionDetails(
            reason="该事项涉及人数较多，欠薪金额需逐人核对工时记录，且用人单位负责人暂未到案说明情况",
            new_deadline=date(2027, 2, 18),
            approver="镇长刘建华",
            original_deadline=date(2027, 1, 19),
            doc_no="永信延〔2026〕3号",
        ),
        "decision": DecisionDetails(
            outcome="支持",
            decision="经调查核实，某茶叶加工厂拖欠你们6人2025年9月至12月工资共计81000元属实。"
                     "本机关已责成该厂于2027年1月31日前全额支付，并由镇劳动保障事务所跟踪督促；"
                     "逾期未支付的，移送漳平市人力资源和社会保障局劳动保障监察机构依法处理。",
            legal_basis="《中华人民共和国劳动法》第五十条，《中华人民共和国劳动合同法》第三十条第一款",
            review_body="漳平市人民政府",
            findings="镇劳动保障事务所调取了工厂考勤记录和工资台账，并与厂长谢某某谈话核实，"
                     "确认你们6人在该厂务工及工资拖欠情况属实。",
            doc_no="永信处〔2026〕9号",
        ),
        "answer": AnswerDetails(
            answer="部分采纳",
            text="你们建议在茶叶加工旺季由镇劳动保障事务所定期巡查用工情况。本机关已将茶叶加工企业纳入"
                 "每季度一次的用工检查；每月巡查一次的建议，因人力所限暂不能实行。",
            doc_no="永信答〔2026〕4号",
        ),
        "review": ReviewDetails(
            stage="复查", disposition="维持", outcome="支持",
            text="经复查，原处理意见认定事实清楚，处理适当。某茶叶加工厂已支付工资51000元，余款正在督促支付。",
            requested_on=date(2027, 1, 20),
            decision_below="漳平市永福镇人民政府2026年12月28日作出的信访处理意见（永信处〔2026〕9号）",
            basis="《保障农民工工资支付条例》第三条", next_body="龙岩市人民政府", doc_no="漳信复查〔2027〕1号",
        ),
        "followup": FollowUpDetails(
            followed_on=date(2027, 1, 10), method="上门", replied_on=date(2026, 12, 28), result="支持",
            rating="满意", notes="工资已支付六成，余款厂方承诺春节前付清，信访人表示认可。", by="郭晓玲",
        ),
        "report": ReportDetails(
            to_unit="漳平市信访局", assigned_on=date(2026, 11, 18), deadline=date(2027, 1, 17),
            replied_on=date(2026, 12, 28), result="支持",
            text="经调查核实，拖欠工资属实，已责成该厂于2027年1月31日前全额支付。",
            delivered_on=date(2026, 12, 29), followed=None, doc_no="永信报〔2026〕6号",
        ),
    }
