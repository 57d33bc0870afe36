"""The `tthc` CLI contract, run as a real subprocess against the test index."""

import json

from tests.conftest import run_cli


def test_search_json_shape(cli_env):
    proc = run_cli(["search", "--json", "-k", "3", "lam giay khai sinh can gi"], cli_env)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["query"] == "lam giay khai sinh can gi" and row["in_scope"] is True
    first = row["results"][0]
    assert set(first) == {"procedure_id", "title", "level", "field", "score", "url", "snippet"}
    assert first["procedure_id"] == "1.001193" and first["level"] == "commune"
    assert len(row["results"]) == 3


def test_batch_mode_keeps_going_after_a_bad_line(cli_env):
    stdin = "đăng ký kết hôn\n\n".encode() + b"\xff\xfe bad\n" + "thời tiết hôm nay\n".encode()
    proc = run_cli(["search", "--json"], cli_env, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(rows) == 4
    assert rows[0]["results"][0]["procedure_id"] == "1.000894"
    assert "empty" in rows[1]["error"]
    assert "UTF-8" in rows[2]["error"]
    assert rows[3]["in_scope"] is False and rows[3]["results"] == []


def test_ask_json_shape(cli_env):
    proc = run_cli(["ask", "--json", "đăng ký tạm trú cần giấy tờ gì"], cli_env)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert set(row) == {"question", "answer", "kind", "choices", "blocks", "language", "in_scope", "sources"}
    assert row["kind"] == "answer" and row["choices"] == []
    assert row["sources"][0]["procedure_id"] == "1.004194"
    assert set(row["sources"][0]) == {"procedure_id", "title", "url", "section"}


def test_errors_exit_2_with_one_line(cli_env):
    for args in (["search", ""], ["ask", "x" * 20000], ["show", "9.999999"], ["search", "--level", "moon", "x"]):
        proc = run_cli(args, cli_env)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.decode().strip().splitlines()) == 1, proc.stderr
        assert b"Traceback" not in proc.stderr


def test_show_prints_a_card(cli_env):
    proc = run_cli(["show", "1.001193"], cli_env)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "Thủ tục đăng ký khai sinh" in out and "Miễn phí" in out and "123/2015/NĐ-CP" in out


def test_batch_text_mode_writes_one_line_per_query(cli_env):
    proc = run_cli(["search", "-k", "2"], cli_env, stdin="đăng ký kết hôn\nđăng ký tạm trú\n".encode())
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 2 and "[1.000894]" in lines[0] and "[1.004194]" in lines[1]
    asked = run_cli(["ask"], cli_env, stdin="đăng ký kết hôn\ngiá vàng hôm nay\n".encode())
    out = asked.stdout.decode().splitlines()
    assert len(out) == 2 and "[1.000894]" in out[0] and "thủ tục hành chính" in out[1]


def test_chat_keeps_a_session_and_resumes_it(cli_env):
    proc = run_cli(["chat"], cli_env, stdin="đăng ký khai sinh cho con\ncòn lệ phí?\nexit\n".encode())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    session = out.splitlines()[0].rsplit("Phiên: ", 1)[1]
    assert len(session) == 32
    follow_up = out.split("> ")[2]
    assert follow_up.startswith("«Thủ tục đăng ký khai sinh» [1.001193]\nLệ phí: Miễn phí")
    assert "Giấy tờ cần mang" not in follow_up  # only the aspect asked
    resumed = run_cli(["chat", "--session", session], cli_env, stdin="thế nộp online được không\n".encode())
    assert "[1.001193]" in resumed.stdout.decode().split("> ")[1]  # the stored session still knows the procedure
    bad = run_cli(["chat", "--session", "nope"], cli_env, stdin=b"")
    assert bad.returncode == 2 and b"32 hexadecimal" in bad.stderr and b"Traceback" not in bad.stderr


def test_eval_answers_reports_for_the_chosen_generator(cli_env):
    proc = run_cli(["eval", "answers", "--limit", "12", "--generator", "extractive"], cli_env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "questions: 12 (" in out and "answers written by: extractive 12" in out
    assert "numbers found in the cited sources:" in out and "not found: 0" in out
    unknown = run_cli(["eval", "answers", "--generator", "gpt-9"], cli_env)
    assert unknown.returncode == 2 and b"one of extractive, llamacpp, openai" in unknown.stderr
