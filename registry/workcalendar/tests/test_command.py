"""``manage.py workdays``: the answer on the first line, notices after it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from registry.workcalendar.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().splitlines()


def test_add_prints_the_date_first_and_a_notice_for_2027():
    assert run("add", "2026-09-30", "2") == ["2026-10-09"]
    lines = run("add", "2026-12-31", "1")
    assert lines[0] == "2027-01-01"
    assert lines[1] == "该期限涉及尚未发布节假日安排的年份（2027年），暂按周末计算，请管理员更新工作日历。"


def test_between_prints_the_count_first():
    assert run("between", "2026-09-30", "2026-10-31") == ["18"]
    assert run("between", "2026-12-30", "2027-01-05")[0] == "4"
    assert run("between", "2026-12-30", "2027-01-05")[1].startswith(
        "该期限涉及尚未发布节假日安排的年份（2027年）"
    )
    assert run("between", "2026-12-31", "2026-12-31") == ["0"]


def test_a_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="日期“2026-02-30”无效"):
        run("add", "2026-02-30", "1")


def test_list_prints_one_line_a_day_and_whether_the_year_is_published():
    lines = run("list", "2026")
    assert "2026-10-01 holiday 国庆节" in lines
    assert "2026-09-20 workday 国庆节调休上班" in lines
    assert lines[-1].startswith("# 2026年：已发布")
    assert run("list", "2027") == ["# 2027年：没有节假日数据，暂按周末计算"]


def test_load_then_add_gives_the_new_answer(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(
        "# test data\n2027-01-01 holiday 元旦\n2027-02-07 workday 春节调休上班\n", encoding="utf-8"
    )
    assert run("load", str(path), "--notes", "测试") == ["2027年：节假日1天，调休上班日1天，已发布"]
    assert run("add", "2026-12-31", "1") == ["2027-01-04"]
    assert run("list", "2027") == [
        "2027-01-01 holiday 元旦",
        "2027-02-07 workday 春节调休上班",
        "# 2027年：已发布（来源：管理员录入）",
    ]


def test_load_with_a_bad_line_saves_nothing_and_says_which_line(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 holiday 元旦\n2027-01-04 workday 周一\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("load", str(path))
    assert "未保存任何数据" in str(info.value)
    assert "第2行：2027-01-04不是周六或周日，不能作为调休上班日" in str(info.value)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not SpecialDay.objects.filter(date__year=2027).exists()


def test_load_as_draft_keeps_the_fallback(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 holiday 元旦\n", encoding="utf-8")
    run("load", str(path), "--draft")
    assert run("add", "2026-12-31", "1")[0] == "2027-01-01"
    assert run("list", "2027")[-1] == "# 2027年：未发布（草稿），暂按周末计算"


def test_load_refuses_an_unknown_actor_and_a_missing_file(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 holiday 元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="用户nobody不存在"):
        run("load", str(path), "--actor", "nobody")
    with pytest.raises(CommandError, match="无法读取文件"):
        run("load", str(tmp_path / "missing.txt"))
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_seed_adds_a_deleted_seed_year_back():
    CalendarYear.objects.filter(year=2010).delete()
    assert run("seed") == ["2010年：已从chinesecalendar补充"]
    assert run("seed") == ["没有需要补充的年份"]
    assert SpecialDay.objects.filter(date=date(2010, 10, 1)).exists()
