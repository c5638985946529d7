"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, the server on a unix
socket in that folder (no TCP port), stopped and removed at the end of the session. Debian's postgresql
package (scripts/setup.sh) provides the programs. initdb refuses to run as root, so as root the cluster
is made and run by the unprivileged user ``nobody`` (runuser), in a folder it owns."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

USER = "xinfang"


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    def __init__(self, durable: bool = False) -> None:
        """``durable``: commits flushed to disk as a real server does (benchmarks/engines.py --durable)."""
        bins = bin_dir()
        if bins is None:
            raise RuntimeError("PostgreSQL's initdb not found (scripts/setup.sh installs Debian's postgresql)")
        self.bins = bins
        self.root = Path(tempfile.mkdtemp(prefix="xfpg-"))      # short: a socket path has ~100 bytes
        self.data = self.root / "data"
        self.as_user: list[str] = []
        self._template: str | None = None
        if os.geteuid() == 0:
            os.chown(self.root, _uid("nobody"), -1)
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self._run("initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync")
        # fsync off: a test cluster is thrown away; nothing it holds must survive a power cut
        unsafe = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "-o",
                  f"-k {self.root} -c listen_addresses='' {unsafe}-c max_connections=60", "start")
        self.started = True

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bins / program), *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=self.root)

    def url(self, dbname: str) -> str:
        return f"postgresql://{USER}@/{dbname}?host={quote(str(self.root), safe='')}"

    def new_database(self, copy_of: str | None = None, *, schema: bool = False) -> str:
        """A new database, empty; or a copy of the database at the URL ``copy_of`` (a file-level copy: far
        quicker than making the schema again; nobody may be connected to that one meanwhile); or, with
        ``schema``, a copy of one made once for the cluster with today's schema (as a new database's first
        opening makes it: the `services` of most tests need no more). Its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        source = name_of(copy_of) if copy_of else self._schema_template() if schema else "template0"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" ENCODING \'UTF8\'')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Remove a database made by new_database (its connections ended): the cluster stays small, and
        stopping it at the end quick (a thousand databases' files take the disk half a minute to delete)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name_of(url)}" WITH (FORCE)')

    def _schema_template(self) -> str:
        if self._template is None:
            from xinfang_desktop.store.db import open_server_database
            from xinfang_desktop.store.models import database

            bound = database.obj
            url = self.new_database()
            try:
                open_server_database(url).close()   # closed: a template is copied only while no one is on it
            finally:
                database.initialize(bound)          # the models bound as they were
            self._template = name_of(url)
        return self._template

    def stop(self) -> None:
        if getattr(self, "started", False):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            finally:
                self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


def name_of(url: str) -> str:
    """The database name of a URL made by :meth:`Cluster.url`."""
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid
