"""Make the data folders of released schema versions (fixtures.py), each with the program of its own commit.

    python tests/schema_fixtures/make.py            # all of them
    python tests/schema_fixtures/make.py v12 v13    # some
    python tests/schema_fixtures/make.py v15-postgresql   # the v15 PostgreSQL database (needs PostgreSQL's programs)

For each fixture: a git worktree of its commit (removed afterwards), that version's own `xinfang init`,
`user add`, `demo --cases 30 --seed 1` (services instead of the command line for v1, which had none), one
attachment where the version has attachments, the sync keys of the township and of a city, the city
enrolled and one bundle exported where it has sync (no backup: its record would name a folder of the machine
that made it). The data folder as the program left it (database, attachments, keyring, sync keys) is zipped to
<name>.zip.
Run it with the project's Python environment: the old versions' dependencies are a subset of today's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import (ADMIN, ADMIN_PASSWORD, CASES, CITY, CLERK, CLERK_PASSWORD, FIXTURES, HERE,  # noqa: E402
                      PASSPHRASE, PG_CASES, PG_V15, SCAN, SEED, UNIT, Fixture)

REPO = HERE.parents[1]
LEFT_OUT = ("backups", "sync-staging")        # folders of a data folder not kept in the archive

# The keyring entries and key files a version writes are cheap to open in the tests: versions before the
# cost was passed in read XINFANG_INSECURE_FAST_KDF_FOR_TESTS (Version.env); later ones take it from main().
CLI = """
import inspect, sys
from xinfang_desktop.cli import main
cheap = {}
if "kdf" in inspect.signature(main).parameters:
    from xinfang_desktop.store.keyring import KdfParams
    cheap = {"kdf": KdfParams(time_cost=1, memory_kib=8, parallelism=1), "scrypt_log_n": 1}
sys.exit(main(sys.argv[1:], **cheap))
"""

# v1 had no command line: the same steps through its services
V1 = f"""
import sys
from pathlib import Path
from xinfang_desktop.services import demo
from xinfang_desktop.services.context import open_services
from xinfang_desktop.services.permissions import Role
svc = open_services(Path(sys.argv[1]))
actor = svc.auth.initialize({UNIT!r}, {ADMIN!r}, {ADMIN_PASSWORD!r})
svc.auth.add_user(actor, {CLERK!r}, Role.CLERK, {CLERK_PASSWORD!r})
demo.generate(svc, actor, int(sys.argv[2]), seed={SEED})
svc.close()
"""

# one attachment on the first case, through the version's own service
ATTACH = f"""
import sys
from pathlib import Path
data, scan = Path(sys.argv[1]), Path(sys.argv[2])
try:
    from xinfang_desktop.services.access import unlock
except ImportError:                      # before encryption at rest
    from xinfang_desktop.services.context import open_services
    svc = open_services(data)
    actor = svc.auth.login({ADMIN!r}, {ADMIN_PASSWORD!r})
else:
    opened = unlock(data, {ADMIN!r}, {ADMIN_PASSWORD!r})
    svc, actor = opened.services, opened.actor
from xinfang_desktop.services.attachments import AttachmentService
from xinfang_desktop.store.models import Case
number = Case.select(Case.number).order_by(Case.sid).first().number
svc.get(AttachmentService).attach(actor, number, [scan])
svc.close()
"""


class Version:
    """One commit's program, run from its worktree."""

    def __init__(self, tree: Path, fixture: Fixture):
        self.tree, self.fixture = tree, fixture
        self.env = dict(os.environ, PYTHONPATH=str(tree), XINFANG_PASSWORD=ADMIN_PASSWORD,
                        XINFANG_PASSPHRASE=PASSPHRASE, XINFANG_INSECURE_FAST_KDF_FOR_TESTS="1")
        self.env.pop("XINFANG_HOME", None)

    def has(self, module: str) -> bool:
        return (self.tree / "xinfang_desktop" / module).exists()

    def python(self, code: str, *args: str, stdin: str = "") -> str:
        r = subprocess.run([sys.executable, "-c", code, *args], cwd=self.tree, env=self.env, input=stdin,
                           capture_output=True, text=True, encoding="utf-8")
        if r.returncode != 0:
            raise SystemExit(f"{self.fixture.name}: {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
        return r.stdout

    def cli(self, data: Path, *args: str, stdin: str = "") -> str:
        return self.python(CLI, "--data-dir", str(data), *args, stdin=stdin)

    def commands(self) -> str:
        return self.python(CLI, "--help")


def build(fixture: Fixture, work: Path, cases: int = CASES) -> Path:
    """The data folder the fixture's commit makes, in `work` (also used by benchmarks/schema_upgrade.py)."""
    tree, data, city = work / "tree", work / "data", work / "city"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), fixture.commit],
                   check=True)
    try:
        v = Version(tree, fixture)
        twice = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
        if not v.has("cli.py"):
            data.mkdir()
            v.python(V1, str(data), str(cases))
        else:
            v.cli(data, "init", "--unit", UNIT, "--admin", ADMIN, stdin=twice)
            v.cli(data, "user", "add", CLERK, "--role", "clerk", stdin=f"{CLERK_PASSWORD}\n{CLERK_PASSWORD}\n")
            v.cli(data, "demo", "--cases", str(cases), "--seed", str(SEED))
        if v.has("services/attachments.py"):
            scan = work / "scan.png"
            scan.write_bytes(SCAN)
            v.python(ATTACH, str(data), str(scan))
        if "keys" in (v.commands() if v.has("cli.py") else ""):
            v.cli(city, "init", "--unit", CITY, "--admin", ADMIN, stdin=twice)
            for folder in (data, city):
                v.cli(folder, "keys", "init")
            v.cli(city, "keys", "export-public", "--out", str(work / "city.json"))
            fingerprint = json.loads(v.cli(city, "keys", "show", "--format", "json"))["fingerprint"]
            v.cli(data, "keys", "enrol", str(work / "city.json"), "--fingerprint", fingerprint)
            (work / "stick").mkdir()
            v.cli(data, "export", "--to", str(work / "stick"))
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)
    leftovers = [p.name for p in data.iterdir() if p.name.endswith(("-wal", "-shm", "-journal"))]
    if leftovers:
        raise SystemExit(f"{fixture.name}: the program left {leftovers} beside its database")
    return data


def make(fixture: Fixture, work: Path) -> None:
    data = build(fixture, work)
    target = fixture.archive
    with zipfile.ZipFile(target.with_suffix(".part"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in sorted(data.rglob("*")):
            rel = path.relative_to(data)
            if path.is_file() and rel.parts[0] not in LEFT_OUT:
                z.write(path, rel.as_posix())
    target.with_suffix(".part").replace(target)
    print(f"{target.name}: {target.stat().st_size // 1024} KB ({fixture.commit[:7]}, v{fixture.version})")


def make_postgresql(fixture: Fixture, work: Path) -> None:
    """The commit's `init`, `user add` and `demo` on a new database of a throwaway cluster (tests/pgcluster.py),
    chosen by XINFANG_DATABASE_URL as that version did; its plain pg_dump (no owners, no privileges, without
    the \\restrict lines of newer pg_dumps, which older psql refuses) zipped with the folder's keyring.json."""
    sys.path.insert(0, str(REPO))
    from tests.pgcluster import Cluster

    cluster = Cluster()
    tree, data = work / "tree", work / "data"
    try:
        url = cluster.new_database()
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), fixture.commit],
                       check=True)
        try:
            v = Version(tree, fixture)
            v.env["XINFANG_DATABASE_URL"] = url
            v.cli(data, "init", "--unit", UNIT, "--admin", ADMIN, stdin=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
            v.cli(data, "user", "add", CLERK, "--role", "clerk", stdin=f"{CLERK_PASSWORD}\n{CLERK_PASSWORD}\n")
            v.cli(data, "demo", "--cases", str(PG_CASES), "--seed", str(SEED))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)
        dump = subprocess.run([*cluster.as_user, str(cluster.bins / "pg_dump"), "--no-owner", "--no-privileges",
                               "-h", str(cluster.root), "-U", "xinfang", url.split("/")[-1].split("?")[0]],
                              check=True, capture_output=True, cwd=cluster.root).stdout
    finally:
        cluster.stop()
    sql = b"".join(line for line in dump.splitlines(keepends=True)
                   if not line.startswith((b"\\restrict ", b"\\unrestrict ")))
    target = fixture.archive
    with zipfile.ZipFile(target.with_suffix(".part"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(data / "keyring.json", "keyring.json")
        z.writestr("database.sql", sql)
    target.with_suffix(".part").replace(target)
    print(f"{target.name}: {target.stat().st_size // 1024} KB ({fixture.commit[:7]}, v{fixture.version})")


def main(names: list[str]) -> int:
    everything = (*FIXTURES, PG_V15)
    chosen = [f for f in everything if not names or f.name in names]
    unknown = set(names) - {f.name for f in chosen}
    if unknown:
        raise SystemExit(f"unknown fixtures: {', '.join(sorted(unknown))}")
    for fixture in chosen:
        with tempfile.TemporaryDirectory(prefix=f"schema-{fixture.name}-") as tmp:
            (make_postgresql if fixture is PG_V15 else make)(fixture, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
