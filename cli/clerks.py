"""`tthc clerk`: clerk accounts. Passwords come from stdin (a terminal asks twice, without echo), never from
the command line, and are stored as argon2id hashes. Every change is written to the audit table."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from bot.settings import get_settings
from cli.common import fail, out

if TYPE_CHECKING:
    from bot.database.accounts import Account
    from bot.database.db import Database

RoleOption = Annotated[str, typer.Option("--role", help="clerk (one commune), province (its communes) or admin (all)")]
WHO = "cli"


@contextmanager
def _database() -> Iterator[Database]:
    from bot.database.db import Database

    database = Database(get_settings().db_url)
    try:
        database.upgrade()
        yield database
    finally:
        database.dispose()


def _password(prompt: str) -> str:
    """The new password: asked twice without echo on a terminal, else the first line of stdin."""
    from bot.database.accounts import check_password
    from bot.errors import InputError

    if sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            fail("the two passwords differ")
    else:
        raw = sys.stdin.buffer.readline().rstrip(b"\r\n")
        try:
            password = raw.decode("utf-8")
        except UnicodeDecodeError:
            fail("the password on stdin is not valid UTF-8 text")
    try:
        check_password(password)
    except InputError as exc:
        fail(exc.message)
    return password


def _status(account: Account) -> str:
    from datetime import UTC, datetime

    if account.disabled:
        return "disabled"
    if account.locked(datetime.now(UTC)) and account.locked_until is not None:
        return "locked until " + account.locked_until.isoformat(timespec="minutes")
    return "active"


def add(
    username: Annotated[str, typer.Argument(help="3-64 characters: a-z, 0-9, '.', '_', '-'")],
    commune: Annotated[str | None, typer.Option(help="5-digit ward code of the account's commune")] = None,
    role: RoleOption = "clerk",
    province: Annotated[str | None, typer.Option(help="2-digit province code (role province; default: the "
                                                      "commune's province)")] = None,
) -> None:
    """Create a clerk account; the password is read from stdin (at least 10 characters)."""
    from bot.database.accounts import ROLES
    from bot.knowledge.communes import Registry

    if role not in ROLES:
        fail(f"unknown role '{role}': one of {', '.join(ROLES)}")
    registry = Registry.load(get_settings().knowledge_dir)
    ward = registry.get(commune) if commune else None  # an unknown code is a one-line error
    provinces = {c.province_code for c in registry.communes.values()}
    if province is not None and province not in provinces:
        fail(f"unknown province code '{province}' (2 digits, as in knowledge/provinces.csv)")
    if role == "clerk" and ward is None:
        fail("a clerk account needs --commune CODE")
    if role == "province" and ward is None and province is None:
        fail("a province account needs --province CODE or --commune CODE")
    if ward is not None and province is not None and ward.province_code != province:
        fail(f"commune {ward.ward_code} is in province {ward.province_code}, not {province}")
    own_province = province or (ward.province_code if ward else "")
    password = _password("Mật khẩu mới: ")
    with _database() as database:
        account = database.accounts.add(username, password, role, ward.ward_code if ward else "", own_province)
        database.audit.add(WHO, "account-add", account.username, role=role, commune=account.commune,
                           province=account.province)
    out(f"added {account.username} ({account.role}, commune {account.commune or '-'}, "
        f"province {account.province or '-'})")


def list_(json_out: Annotated[bool, typer.Option("--json", help="One JSON object per account")] = False) -> None:
    """Every account: user name, role, commune, province, status, created."""
    with _database() as database:
        accounts = database.accounts.all()
    for a in accounts:
        if json_out:
            out(json.dumps({"username": a.username, "role": a.role, "commune": a.commune, "province": a.province,
                            "status": _status(a), "created": a.created_at.isoformat(timespec="seconds")}))
        else:
            out(f"{a.username:<24} {a.role:<9} {a.commune or '-':<6} {a.province or '-':<3} {_status(a):<28} "
                f"{a.created_at.date().isoformat()}")
    if not accounts and not json_out:
        out("no accounts yet: tthc clerk add USERNAME --commune CODE")


def disable(username: Annotated[str, typer.Argument(help="The account")]) -> None:
    """Disable an account and end its sessions at once."""
    with _database() as database:
        account = database.accounts.set_disabled(username, True)
        database.audit.add(WHO, "account-disable", account.username)
    out(f"disabled {account.username}")


def enable(username: Annotated[str, typer.Argument(help="The account")]) -> None:
    """Enable a disabled account again."""
    with _database() as database:
        account = database.accounts.set_disabled(username, False)
        database.audit.add(WHO, "account-enable", account.username)
    out(f"enabled {account.username}")


def passwd(username: Annotated[str, typer.Argument(help="The account")]) -> None:
    """Set a new password (from stdin); unlocks the account and ends its sessions."""
    password = _password("Mật khẩu mới: ")
    with _database() as database:
        account = database.accounts.set_password(username, password)
        database.audit.add(WHO, "account-passwd", account.username)
    out(f"password changed for {account.username}; its sessions ended")
