"""A benchmark run with failed requests keeps its servers' logs; a valid one keeps none.

The work folder of `python -m bench` is temporary. On 2026-12-03 a `similar` round had two
failed requests among 2,017, and the server log that would have said why went with the
folder.
"""

from pathlib import Path

from bench.__main__ import keep_logs_if_invalid


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "similar-serve.log").write_text("Traceback: the failure\n", encoding="utf-8")
    (work / "similar-floor.log").write_text("floor\n", encoding="utf-8")
    (work / "similar-project.tsv").write_text("GET\t/x\n", encoding="utf-8")
    return work


def test_an_invalid_result_keeps_every_server_log_and_names_them(tmp_path: Path) -> None:
    work, into = _work(tmp_path), tmp_path / "results" / "logs-full-similar"
    result = {"name": "similar", "valid": False}
    keep_logs_if_invalid(result, work, into)
    assert sorted(p.name for p in into.iterdir()) == ["similar-floor.log", "similar-serve.log"]
    assert (into / "similar-serve.log").read_text(encoding="utf-8") == "Traceback: the failure\n"
    assert result["logs"] == [str(into / "similar-floor.log"), str(into / "similar-serve.log")]


def test_a_valid_result_keeps_nothing(tmp_path: Path) -> None:
    work, into = _work(tmp_path), tmp_path / "results" / "logs-full-similar"
    result = {"name": "similar", "valid": True}
    keep_logs_if_invalid(result, work, into)
    assert not into.exists()
    assert "logs" not in result
