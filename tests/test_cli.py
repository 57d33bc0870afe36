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
    assert set(row) == {"question", "answer", "language", "in_scope", "sources"}
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
