"""Clerk accounts and their sessions: argon2id password hashes, lock-out after failed sign-ins, session tokens
kept only as their SHA-256, and which communes an account may see.

Roles: `clerk` sees its own commune, `province` every commune of its province, `admin` all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.database.tables import Account as AccountRow
from bot.database.tables import ClerkSession as SessionRow
from bot.errors import AuthError, InputError, NotFoundError
from bot.knowledge.communes import Commune

Role = Literal["clerk", "province", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 1024  # argon2 takes any length; this only bounds the work one request can ask for
PRE_LOGIN_MINUTES = 30  # how long the login form's own session (and CSRF token) lives

_accounts = cast(Table, AccountRow.__table__)
_sessions = cast(Table, SessionRow.__table__)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile: t=3, m=64 MiB, p=4


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_CHARS:
        raise InputError(f"The password must have at least {PASSWORD_MIN_CHARS} characters.",
                         f"Mật khẩu phải có ít nhất {PASSWORD_MIN_CHARS} ký tự.")
    if len(password) > PASSWORD_MAX_CHARS:
        raise InputError(f"The password must have at most {PASSWORD_MAX_CHARS} characters.",
                         f"Mật khẩu dài quá {PASSWORD_MAX_CHARS} ký tự.")
    if "\x00" in password:
        raise InputError("The password contains a NUL character.", "Mật khẩu chứa ký tự không hợp lệ.")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class WrongCredentialsError(AuthError):
    """Unknown user name or wrong password (never says which)."""

    message_vi = "Tên đăng nhập hoặc mật khẩu không đúng."


class AccountLockedError(AuthError):
    def __init__(self, until: datetime) -> None:
        minutes = max(1, int((until - datetime.now(UTC)).total_seconds() + 59) // 60)
        super().__init__(f"The account is locked after too many failed sign-ins, for {minutes} more minutes.",
                         f"Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút "
                         "hoặc liên hệ quản trị viên.")
        self.until = until


class AccountDisabledError(AuthError):
    message_vi = "Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên."


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    commune: str
    province: str
    disabled: bool
    failed_count: int
    locked_until: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: RowMapping) -> Account:
        return cls(id=int(row["id"]), username=str(row["username"]), role=str(row["role"]),
                   commune=str(row["commune"]), province=str(row["province"]), disabled=bool(row["disabled"]),
                   failed_count=int(row["failed_count"]), locked_until=_utc(row["locked_until"]),
                   created_at=_utc(row["created_at"]) or datetime.now(UTC))

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def sees(self, commune: Commune) -> bool:
        """A clerk sees its own commune, a province account the communes of its province, an admin all."""
        if self.role == "admin":
            return True
        if self.role == "province":
            return bool(self.province) and commune.province_code == self.province
        return bool(self.commune) and commune.ward_code == self.commune


@dataclass(frozen=True)
class Session:
    """A clerk page session; `account` is None for the login form's session before sign-in."""

    id: int
    account: Account | None
    csrf_token: str
    expires_at: datetime

    def csrf_ok(self, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token.encode("utf-8", "surrogateescape"),
                                                   self.csrf_token.encode())


class AccountRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # accounts

    def add(self, username: str, password: str, role: str, commune: str = "", province: str = "") -> Account:
        if not USERNAME_PATTERN.match(username):
            raise InputError("A user name is 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit.", "Tên đăng nhập không hợp lệ.")
        if role not in ROLES:
            raise InputError(f"Unknown role '{role}': one of {', '.join(ROLES)}.", "Vai trò không hợp lệ.")
        hashed = hash_password(password)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(_accounts).values(
                    username=username, password_hash=hashed, role=role, commune=commune, province=province,
                    disabled=False, failed_count=0, locked_until=None, created_at=datetime.now(UTC)))
        except IntegrityError:
            raise InputError(f"The user name '{username}' is taken.", "Tên đăng nhập đã có.") from None
        return self.get(username)

    def find(self, username: str) -> Account | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_accounts).where(_accounts.c.username == username)).mappings().first()
        return Account.of(row) if row else None

    def get(self, username: str) -> Account:
        account = self.find(username)
        if account is None:
            raise NotFoundError(f"No account '{username}'.", "Không có tài khoản này.")
        return account

    def all(self) -> list[Account]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(_accounts).order_by(_accounts.c.username)).mappings().all()
        return [Account.of(r) for r in rows]

    def _change(self, username: str, **values: Any) -> Account:
        account = self.get(username)
        with self.engine.begin() as conn:
            conn.execute(update(_accounts).where(_accounts.c.id == account.id).values(**values))
            if values.get("disabled") or "password_hash" in values:  # signed out everywhere
                conn.execute(delete(_sessions).where(_sessions.c.account_id == account.id))
        return self.get(username)

    def set_disabled(self, username: str, disabled: bool) -> Account:
        return self._change(username, disabled=disabled)

    def set_password(self, username: str, password: str) -> Account:
        return self._change(username, password_hash=hash_password(password), failed_count=0, locked_until=None)

    def authenticate(self, username: str, password: str, max_failures: int, lockout: timedelta) -> Account:
        """The account if the password is right and the account usable; else WrongCredentialsError (unknown user,
        wrong password), AccountLockedError (`max_failures` wrong passwords in a row lock it for `lockout`, and
        a locked account refuses even the right password) or AccountDisabledError (only after the right one)."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            row = conn.execute(select(_accounts.c.id, _accounts.c.password_hash)
                               .where(_accounts.c.username == username)).first()
        if row is None or len(password) > PASSWORD_MAX_CHARS:
            _verify(_dummy_hash(), password[:PASSWORD_MAX_CHARS])  # the same time as a real check
            raise WrongCredentialsError("Unknown user name or wrong password.")
        account = self.get(username)
        if account.locked(now):
            assert account.locked_until is not None
            raise AccountLockedError(account.locked_until)
        if not _verify(str(row.password_hash), password):
            self._failed(account.id, max_failures, now + lockout)
            locked = self.get(username)
            if locked.locked(now):
                assert locked.locked_until is not None
                raise AccountLockedError(locked.locked_until)
            raise WrongCredentialsError("Unknown user name or wrong password.")
        if account.disabled:
            raise AccountDisabledError("The account is disabled.")
        values: dict[str, Any] = {"failed_count": 0, "locked_until": None}
        if _hasher().check_needs_rehash(str(row.password_hash)):
            values["password_hash"] = _hasher().hash(password)
        with self.engine.begin() as conn:
            conn.execute(update(_accounts).where(_accounts.c.id == account.id).values(**values))
        return self.get(username)

    def _failed(self, account_id: int, max_failures: int, lock_until: datetime) -> None:
        """One more failure, counted in the database (every worker sees it); the last allowed one locks."""
        with self.engine.begin() as conn:
            conn.execute(update(_accounts).where(_accounts.c.id == account_id)
                         .values(failed_count=_accounts.c.failed_count + 1))
            conn.execute(update(_accounts)
                         .where(_accounts.c.id == account_id, _accounts.c.failed_count >= max_failures)
                         .values(failed_count=0, locked_until=lock_until))

    # sessions

    def start_session(self, account: Account | None, lifetime: timedelta, address: str = "") -> tuple[str, Session]:
        """A new session with a new random token (returned once, stored only as its SHA-256) and CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(_sessions).values(
                token_hash=token_digest(token), account_id=account.id if account else None, csrf_token=csrf,
                created_at=now, expires_at=now + lifetime, address=address[:64]))
        session = self.session(token)
        assert session is not None
        return token, session

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie's token; None when unknown, expired, or its account is disabled."""
        if not token or len(token) > 128:
            return None
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            query = select(_sessions).where(_sessions.c.token_hash == token_digest(token))
            row = conn.execute(query).mappings().first()
            if row is None or (_utc(row["expires_at"]) or now) <= now:
                return None
            account = None
            if row["account_id"] is not None:
                found = conn.execute(select(_accounts).where(_accounts.c.id == row["account_id"])).mappings().first()
                if found is None:
                    return None
                account = Account.of(found)
                if account.disabled:
                    return None
        return Session(id=int(row["id"]), account=account, csrf_token=str(row["csrf_token"]),
                       expires_at=_utc(row["expires_at"]) or now)

    def end_session(self, session_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_sessions).where(_sessions.c.id == session_id))

    def purge_expired(self) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_sessions).where(_sessions.c.expires_at <= datetime.now(UTC))).rowcount)

    def session_count(self, account: Account | None = None) -> int:
        """Live and expired sessions, of one account or of all (pre-login ones included)."""
        query = select(func.count()).select_from(_sessions)
        if account is not None:
            query = query.where(_sessions.c.account_id == account.id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
