"""A PostgreSQL server that cannot be reached, refuses the login or goes away mid-work, in words a clerk
can act on (store/errors.py asks here for errors that come from the server)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..domain.errors import XinfangError

UNCHANGED = "已保存的数据没有受到影响。"

# (alternatives, each the words that must all be in psycopg's or the server's message; what to tell the clerk)
_LOGIN = "数据库服务器拒绝了登录（数据库用户名或密码不对，或本机未被允许连接）。请联系管理员检查数据库地址中的用户名和密码。"
_SERVER_WORDS: tuple[tuple[tuple[tuple[str, ...], ...], str], ...] = (
    ((("password authentication failed",), ("no password supplied",), ("role", "does not exist"), ("pg_hba.conf",)),
     _LOGIN),
    ((("database", "does not exist"),),
     "数据库服务器上没有这个数据库。请检查数据库地址中的数据库名，或请管理员先建立数据库（见 README）。"),
    ((("permission denied",),),
     f"数据库用户没有这项操作的权限，刚才的操作没有完成，{UNCHANGED}请联系管理员检查数据库用户的权限（见 README）。"),
    (tuple((w,) for w in ("server closed the connection", "terminating connection", "connection is closed",
                          "connection is lost", "consuming input failed", "the connection is bad", "ssl syscall",
                          "eof detected")),
     f"与数据库服务器的连接中断了，刚才的操作没有保存，{UNCHANGED}请检查网络或联系管理员确认服务器在运行，然后重试。"),
    (tuple((w,) for w in ("could not connect", "connection refused", "connection failed", "timeout expired",
                          "could not translate host", "no route to host", "network is unreachable",
                          "name or service not known", "connection timed out", "no such file or directory")),
     f"无法连接数据库服务器（服务器未开机、数据库未运行或网络不通）。{UNCHANGED}请检查网络，或联系管理员确认数据库服务器在运行后重试。"),
    (tuple((w,) for w in ("could not serialize", "deadlock detected", "lock timeout", "canceling statement")),
     f"数据库正忙（其他工作台同时在修改），刚才的操作没有保存，{UNCHANGED}请稍后重试。"),
)


def is_server_error(exc: BaseException) -> bool:
    """An error that came from psycopg (directly, or wrapped by peewee, which keeps it as ``orig``)."""
    for e in (exc, getattr(exc, "orig", None), exc.__cause__, exc.__context__):
        if e is not None and type(e).__module__.split(".")[0] == "psycopg":
            return True
    return False


def server_message(text: str) -> str | None:
    text = text.lower()
    for alternatives, message in _SERVER_WORDS:
        if any(all(w in text for w in words) for words in alternatives):
            return message
    return None


def where(url: str) -> str:
    """The server and database of a URL, without its password, for a message."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "本机"
        return f"{host}{parts.path or ''}"
    except ValueError:
        return "数据库服务器"


def connection_failed(exc: BaseException, url: str) -> XinfangError:
    message = server_message(str(exc)) or (
        f"无法连接数据库服务器（{str(exc).strip()[:80]}）。{UNCHANGED}请检查网络，或联系管理员确认数据库服务器在运行后重试。")
    return XinfangError(f"{message}（数据库：{where(url)}）")
