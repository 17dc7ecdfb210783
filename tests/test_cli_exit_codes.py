"""Every command's user errors: exit code 2, one line naming the problem, no traceback
(issue 18, class 8; the codes are listed in docs/ingest.md, "Exit codes")."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import cli


def errors(tmp_path: Path) -> dict[str, list[str]]:
    a_file = tmp_path / "a_file"  # written by the test
    missing = str(tmp_path / "missing")
    return {
        "cost": ["cost", "-5"],
        "flow": ["flow", "-1"],
        "validate": ["validate", missing + ".csv"],
        "simulate": ["simulate", "--seed", "1", "--sessions", "-3", "--out", str(tmp_path / "s")],
        "simulate into a file": ["simulate", "--seed", "1", "--sessions", "3", "--out",
                                 str(a_file)],
        "summary": ["summary", "--data", missing, "--out", str(tmp_path / "s.parquet")],
        "claims": ["claims", "--data", missing],
        "diagnose": ["diagnose", "--claims", "C99", "--out", str(tmp_path / "d")],
        "claims-page": ["claims-page", "--store", missing, "--docs", str(tmp_path / "docs")],
        "ingest": ["ingest", missing + ".jsonl", "--out", str(tmp_path / "o")],
        "record": ["record", "@", "--out", str(tmp_path / "r.jsonl")],
        "classroom": ["classroom", "--out", str(a_file)],
        "build": ["build", "--only", "no-such-notebook", "--out", str(tmp_path / "b")],
    }


CASES = ["cost", "flow", "validate", "simulate", "simulate into a file", "summary", "claims",
         "diagnose", "claims-page", "ingest", "record", "classroom", "build"]


def test_every_command_has_a_case() -> None:
    commands = {arguments[0] for arguments in errors(Path("/nonexistent")).values()} | {"gifts"}
    assert commands == set(cli.parser()._subparsers._group_actions[0].choices)  # type: ignore


@pytest.mark.parametrize("case", CASES)
def test_a_user_error_exits_2_with_one_line_and_no_traceback(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "a_file").write_text("x")
    arguments = errors(tmp_path)[case]
    assert cli.main(arguments) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.startswith(f"toolkit {arguments[0]}: error: ")


@pytest.mark.parametrize("arguments", [["cost"], ["simulate", "--out", "x"],
                                       ["ingest", "--out"], ["claims", "--data", "x", "--k"],
                                       ["nope"]])
def test_a_wrong_command_line_exits_2_with_its_usage(
        arguments: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(arguments)
    assert stop.value.code == 2
    assert "usage: toolkit" in capsys.readouterr().err
