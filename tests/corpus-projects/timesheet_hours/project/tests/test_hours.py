import pytest

import timesheet.hours
from timesheet.cli import main, print_summary
from timesheet.hours import shift_minutes, to_minutes


def test_day_shift_with_break():
    assert shift_minutes("08:00-16:30") == 480


def test_short_shift_without_break():
    assert shift_minutes("09:00-13:00") == 240


def test_night_shift():
    assert shift_minutes("22:00-06:00") == 450


def test_bad_time():
    with pytest.raises(ValueError):
        to_minutes("24:10")


def test_break_rule_can_be_changed(monkeypatch):
    monkeypatch.setattr(timesheet.hours, "BREAK_THRESHOLD", 4 * 60)
    assert shift_minutes("09:00-13:30") == 240


def test_summary_output(capsys):
    total = print_summary(["Mon 08:00-16:30", "# holiday", "Tue 23:00 - 03:00"])
    assert total == 720
    assert capsys.readouterr().out.splitlines() == [
        "Mon  08:00-16:30   8.00 h",
        "Tue  23:00-03:00   4.00 h",
        "week              12.00 h",
    ]


def test_main_reads_a_file(tmp_path, capsys):
    log = tmp_path / "week.txt"
    log.write_text("Fri 12:00-15:00\n")
    assert main([str(log)]) == 0
    assert capsys.readouterr().out.endswith("week               3.00 h\n")
