import json

import pytest

from xinfang_desktop.domain.categories import parse_category_table, pinyin_of
from xinfang_desktop.domain.divisions import Division, DivisionTable, parse_divisions_csv
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.resources_data import load_default_categories, load_default_divisions

TOP_LEVEL = ["农村农业", "自然资源（国土）", "城乡建设", "劳动和社会保障", "卫生健康", "教育", "民政与应急", "政法",
             "生态环境", "经济管理", "交通运输", "市场监管", "党务政务", "组织人事", "纪检监察", "其他"]
CATS = load_default_categories()
DIVS = load_default_divisions()


def test_all_16_first_level_categories_in_order():
    top = CATS.top_level()
    assert [c.name for c in top] == TOP_LEVEL
    assert [c.code for c in top] == [f"{i:02d}" for i in range(1, 17)]
    assert CATS.version == 1


def test_every_first_level_has_3_to_8_children_with_prefixed_codes():
    for top in CATS.top_level():
        kids = CATS.children(top.code)
        assert 3 <= len(kids) <= 8, top.name
        assert all(k.code.startswith(top.code) and len(k.code) == 4 and k.parent_code == top.code for k in kids)


@pytest.mark.parametrize(
    "name, parent",
    [("土地征收", "自然资源（国土）"), ("房屋征收与补偿", "城乡建设"), ("劳动关系", "劳动和社会保障"),
     ("拖欠工资", "劳动和社会保障"), ("社会救助", "民政与应急"), ("医患纠纷", "卫生健康"),
     ("村务管理", "农村农业"), ("检举控告", "纪检监察")],
)
def test_required_second_level_items_sit_under_their_parent(name, parent):
    c = CATS.by_name_or_short(name)
    assert c is not None and c.parent_code is not None
    assert CATS.get(c.parent_code).name == parent


def test_pinyin_fields():
    c = CATS.get("0201")
    assert (c.name, c.pinyin, c.initials) == ("土地征收", "tudizhengshou", "tdzs")
    assert pinyin_of("医患纠纷") == ("yihuanjiufen", "yhjf")


def test_search_by_initials_pinyin_short_name_and_code():
    assert CATS.search("tdzs")[0].name == "土地征收"
    assert CATS.search("TDZS")[0].name == "土地征收"
    assert "土地征收" in [c.name for c in CATS.search("tudi")]
    assert CATS.search("欠薪")[0].name == "拖欠工资"  # short name
    assert CATS.search("qx")[0].name == "拖欠工资"  # initials of the short name
    assert [c.code for c in CATS.search("02")][0] == "02"
    assert all(c.code.startswith("04") for c in CATS.search("04"))
    assert CATS.search("征收")[:2] == [CATS.get("0201"), CATS.get("0301")]
    assert CATS.search("") == [] and CATS.search("zzzzqqq") == []


def test_by_name_or_short():
    assert CATS.by_name_or_short("环保").code == "09"
    assert CATS.by_name_or_short(" 欠薪 ").code == "0402"
    assert CATS.by_name_or_short("不存在的分类") is None


def test_get_unknown_code_has_a_chinese_message():
    with pytest.raises(InvalidInput) as exc:
        CATS.get("9999")
    assert "“9999”不在分类表" in exc.value.message


def test_is_accusation():
    assert CATS.is_accusation("1501")
    assert not CATS.is_accusation("15")  # 纪检监察 also holds 处分申诉, which is not an accusation
    assert not CATS.is_accusation("1504")
    assert not CATS.is_accusation("0201")


def _table(cats, **extra):
    return json.dumps({"version": 1, "name": "t", "categories": cats, **extra}, ensure_ascii=False)


def test_accusation_falls_back_to_the_name_and_covers_children():
    t = parse_category_table(_table([{"code": "15", "name": "检举控告", "children": [{"code": "1501", "name": "贪污"}]},
                                     {"code": "16", "name": "其他"}]))
    assert t.is_accusation("15") and t.is_accusation("1501") and not t.is_accusation("16")
    assert t.get("1501").short == "贪污"  # short defaults to the name


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{", "不是有效的JSON"),
        (json.dumps({"categories": [{"code": "01", "name": "a"}]}), "版本号"),
        (_table([]), "没有任何分类"),
        (_table([{"code": "01", "name": "a"}, {"code": "01", "name": "b"}]), "“01”重复"),
        (_table([{"code": "01", "name": "a", "children": [{"code": "0201", "name": "b"}]}]), "应以上级代码“01”开头"),
        (_table([{"code": "01", "name": " "}]), "缺少“name”或为空"),
        (_table([{"code": "01", "name": "a", "short": ""}]), "简称为空"),
        (_table([{"code": "1", "name": "a"}]), "应为2位数字"),
        (_table([{"code": "0A", "name": "a"}]), "只能是数字"),
    ],
)
def test_bad_category_tables_are_refused(text, fragment):
    with pytest.raises(InvalidInput) as exc:
        parse_category_table(text)
    assert fragment in exc.value.message


def test_16_townships_of_zhangping():
    towns = DIVS.townships()
    assert len(towns) == 16
    assert towns[0] == Division("350881001000", "菁城街道", "街道", "350881000000")
    assert {t.kind for t in towns} == {"街道", "镇", "乡"}
    assert DIVS.get("350881000000") == Division("350881000000", "漳平市", "市", None)


def test_every_township_has_3_to_6_villages_with_conventional_codes():
    for town in DIVS.townships():
        villages = DIVS.villages(town.code)
        assert 3 <= len(villages) <= 6, town.name
        for v in villages:
            assert v.code[:9] == town.code[:9] and v.parent_code == town.code
            assert (v.kind == "社区") == (v.code[9] == "0") and (v.kind == "村") == (v.code[9] == "2")


def test_division_search():
    assert [d.name for d in DIVS.search("菁城")][0] == "菁城街道"
    assert [d.name for d in DIVS.search("jc")][0] == "菁城街道"
    assert DIVS.search("sygc") == [DIVS.get("350881100203")]
    assert DIVS.search("城中社区")[0].code == "350881001001"
    assert all(d.code.startswith("350881102") for d in DIVS.search("350881102"))
    assert DIVS.search("北京") == []


def test_division_get_unknown():
    with pytest.raises(InvalidInput) as exc:
        DIVS.get("350881999000")
    assert "不在区划表中" in exc.value.message
    with pytest.raises(InvalidInput):
        DIVS.villages("350881999000")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("id,name\n", "第一行"),
        ("code,name,kind\n35088100100,菁城街道,街道\n", "应为12位数字"),
        ("code,name,kind\n350881001000,,街道\n", "缺少名称"),
        ("code,name,kind\n350881001000,菁城街道,村\n", "与代码层级不符"),
        ("code,name,kind\n350881001000,菁城街道,街道\n350881001000,菁城街道,街道\n", "重复"),
        ("code,name,kind\n350881001001,城中社区,社区\n", "不在文件中"),
        ("code,name,kind\n350881001000,菁城街道\n", "应有3列"),
    ],
)
def test_bad_division_files_are_refused(text, fragment):
    with pytest.raises(InvalidInput) as exc:
        parse_divisions_csv(text)
    assert fragment in exc.value.message


def test_division_csv_with_bom_and_no_county_row():
    rows = parse_divisions_csv("\ufeffcode,name,kind\n350881001000,菁城街道,街道\n350881001001,城中社区,社区\n\n")
    assert rows == [Division("350881001000", "菁城街道", "街道", None),
                    Division("350881001001", "城中社区", "社区", "350881001000")]
    assert DivisionTable(rows).villages("350881001000") == rows[1:]
