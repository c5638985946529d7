"""SQLite and PostgreSQL side by side in one run (issue 16): the same demo data on each engine, then
a 2-character name search (p95), a year's statistics, and registrations per second from 1 desk and from
4 desks (processes) at once.

On PostgreSQL the desks run twice, in the same run: as the program does (registering and recording an
action lock their own rows, store/locks.py), and as it did before issue 16's locking ("one_lock": every
writer took the one writers' lock exclusively, the desk process patched back to that). Each desk also
reports the CPU it used itself (the client's work: Python, peewee, the rules) and, where the server's
processes can be read (/proc, the throwaway cluster on this machine), the CPU its server process used:
on a machine with few cores the desks compete for CPU, not for locks, and ``cpu_bound_per_s`` (the cores
over the CPU one registration takes, client and server) is the most any number of desks could reach there.

Each desk also counts its round trips to the server (every message it sends and waits on: a statement,
several bound into one text, the COMMIT): per registration, per recorded action, and those a registration
makes while it holds its unit's counter row (each of those keeps the other desks waiting for one more trip).

The desks run on this machine's loopback (a unix socket): a round trip costs next to nothing, and the desks
and the server share its few cores. In the bureau each desk is its own PC on the office LAN, a few tenths of
a millisecond from the server per round trip. ``--rtt-ms R`` runs the PostgreSQL desks once more, labelled
``_lan`` (never to be read as the loopback figure), with each desk process waiting R ms per round trip before
its message is sent (a sleep, which costs no CPU, as a LAN wait does not).
That models the network's latency: the time a desk waits per trip, and the longer a counter row stays
locked when trips are made while it is held. It does not model the rest of the bureau: here the desks' own
CPU (Python, peewee, the rules) still competes with the other desks and with the server for the same cores,
where each desk would have its own; nor bandwidth, nor TCP. So the emulated 4-desk ratio is still held down
by the shared CPU, and the Amdahl bound from the lock-holding share (``amdahl_4_over_1_lan``) is what the
locking alone would allow at that latency. A sleep that short overshoots, by more on a busy machine; the
overshoot is taken off the following waits, and the wait actually slept per round trip is measured and
printed (``lan_wait_ms_per_round_trip``).

The throwaway cluster, as the tests', does not flush commits to disk. A real server does, and a registration
holds its unit's counter row until its commit is flushed: ``--durable`` starts the cluster with the server's
defaults (fsync, synchronous commit), so that flush on this machine's disk is in the figures
(``durable_commits``; true with ``--database``, whose server is taken to be configured as in production).

    python benchmarks/engines.py [--cases 20000] [--samples 200] [--each 50] [--database URL] [--rtt-ms R] [--durable]
                                 [--rounds N]

``--rounds N`` runs each pair of 1 and 4 desks N times, interleaved, and gives each figure's median (and each
round's 4-over-1 ratio, ``four_desks_over_one*_rounds``): on a machine others share the load changes while
the benchmark runs, and one pair of runs can land on a quiet minute and the other on a busy one.

Without --database a throwaway PostgreSQL cluster is started (tests/pgcluster.py: Debian's postgresql
package) and removed at the end; with it, URL must name an existing empty database. The issue's figures
are for a million cases (search) and 16 townships × 10,000 (import); the default here is smaller so that
a run fits a few minutes (the demo on PostgreSQL writes through its triggers: a million takes hours).
benchmarks/pg_scale.py loads a million into the search index in bulk for that figure, and times the city's
import of 16 × 10,000 against a COPY. Prints the figures; the last line is one JSON object. Goals: search
p95 ≤ 5 ms, a year's statistics ≤ 1 s, 4 desks ≥ 2.5× one desk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ADMIN, PASSWORD, ROOT, UNIT, bench_key, server_database  # noqa: E402

ENV = dict(os.environ, XINFANG_PASSWORD=PASSWORD)


def xinfang(data_dir: Path, *args: str, stdin: str | None = None) -> None:
    cmd = [sys.executable, "-c", "import sys; from xinfang_desktop.cli import main; sys.exit(main())",
           "--data-dir", str(data_dir), *args]
    subprocess.run(cmd, input=stdin, text=True, encoding="utf-8", check=True, cwd=ROOT, env=ENV,
                   stdout=subprocess.DEVNULL)


def build(folder: Path, cases: int, url: str | None) -> float:
    """A demo folder of ``cases`` matters on the engine; seconds the demo took."""
    extra = ["--database", url] if url else []
    xinfang(folder, "init", "--unit", UNIT, "--admin", ADMIN, *extra, stdin=PASSWORD + "\n")
    t0 = time.perf_counter()
    xinfang(folder, "--as", ADMIN, "demo", "--cases", str(cases), "--seed", "1")
    return time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_reads(folder: Path, samples: int) -> dict:
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.services.permissions import Role
    from xinfang_desktop.services.statistics import StatisticsService
    from xinfang_desktop.store import search
    from xinfang_desktop.store.models import Person

    svc = open_services(folder, key=bench_key(folder), create=False)
    try:
        if getattr(svc.db, "engine", "sqlite") == "postgresql":
            svc.db.execute_sql("VACUUM ANALYZE")          # what autovacuum does on a server between loads
        names = sorted({p.name[:2] for p in Person.select(Person.name).limit(5000) if len(p.name) >= 2})
        picks = random.Random(7).choices(names, k=samples)
        search.search_sids(svc.db, picks[0])               # warm
        times = []
        for name in picks:
            t0 = time.perf_counter()
            search.search_sids(svc.db, name)
            times.append((time.perf_counter() - t0) * 1000)
        admin = svc.auth.user(ADMIN)
        stats = svc.get(StatisticsService)
        year = datetime.now().year
        stats.compute(admin, st.year(year))                 # warm
        t0 = time.perf_counter()
        stats.compute(admin, st.year(year))
        year_s = time.perf_counter() - t0
        for name, role in (("desk", Role.CLERK),):
            try:
                svc.auth.user(name)
            except Exception:
                svc.auth.add_user(admin, name, role, PASSWORD, "登记员")
        return {"search_p50_ms": round(percentile(times, 0.5), 2), "search_p95_ms": round(percentile(times, 0.95), 2),
                "year_statistics_s": round(year_s, 3)}
    finally:
        svc.close()


def _one_writer_lock() -> None:
    """The locking before issue 16 in this desk process: every writer, also one that locks its own rows, takes
    the writers' lock exclusively (so they queue one at a time)."""
    from xinfang_desktop.store import pg

    begin = pg.PgDatabase.begin

    def one_at_a_time(self, lock_type=None):
        return begin(self, "IMMEDIATE" if lock_type == "SHARED" else lock_type)

    pg.PgDatabase.begin = one_at_a_time


class _Lan:
    """In a desk process on PostgreSQL: its round trips to the server, counted (each wait of psycopg's
    connection for the answer to a message it sent), and with ``rtt`` each one made that much longer by a
    sleep before the message goes (the emulated LAN of the module docstring: a wait that costs no CPU; for
    the locks the server holds, a trip's whole wait before it is the same as half on the way there and half
    on the way back). A sleep of a fraction of a millisecond overshoots, the more so on a busy machine (the
    process waits for a core to wake up on): what was slept beyond what was owed is taken off the next
    trips' waits, so that on average each trip waits ``rtt``."""

    trips = 0
    slept = 0.0                         # seconds the emulated LAN waited, all trips
    rtt = 0.0
    owed = 0.0                          # seconds of LAN wait not yet slept (negative: slept ahead)
    arming = False
    first_before = 0.0                  # the wait before the first trip after arm(): not yet at the server

    @classmethod
    def watch(cls, rtt_ms: float) -> None:
        import psycopg

        cls.rtt = rtt_ms / 1000
        wait = psycopg.Connection.wait

        def counted(self, gen, *args, **kwargs):
            cls.trips += 1
            before = cls._sleep(cls.rtt)
            if cls.arming:
                cls.first_before, cls.arming = before, False
            return wait(self, gen, *args, **kwargs)

        psycopg.Connection.wait = counted

    @classmethod
    def arm(cls) -> None:
        cls.arming, cls.first_before = True, 0.0

    @classmethod
    def _sleep(cls, seconds: float) -> float:
        if seconds <= 0:
            return 0.0
        cls.owed += seconds
        if cls.owed <= 0:
            return 0.0
        t0 = time.perf_counter()
        time.sleep(cls.owed)
        waited = time.perf_counter() - t0
        cls.owed -= waited
        cls.slept += waited
        return waited


class _Held:
    """In a desk process on PostgreSQL: the seconds its writers held what other desks wait for. With the one
    writers' lock, a whole writing transaction (BEGIN to the end of COMMIT); with row locks, a registration's
    counter rows, which the server takes in the message that writes the registration's rows and commits
    (store/locks.py numbers_at_commit): that message's round trip, less the server's time in it before it took
    the first counter (the search key and the party rows go first), which the server measures from its receipt
    of the message to the counter. The case of an action is the desk's own, so no other desk waits for it here.
    A desk's share of serial time ``s`` bounds what n desks can reach, however many cores they had (each desk
    on its own PC): n / (1 + (n - 1) s) times one desk (Amdahl). With an
    emulated LAN (_Lan) the wait before the trip that takes the lock is not counted as held: the lock is not
    held yet. ``trips``: the round trips made while it was held (after the one that took it, the COMMIT's
    included), each of which keeps the other desks waiting one more LAN round trip."""

    seconds = 0.0
    trips = 0
    since: float | None = None
    trips0 = 0

    @classmethod
    def watch(cls, one_lock: bool) -> None:
        from xinfang_desktop.store import pg

        begin, commit, rollback = pg.PgDatabase.begin, pg.PgDatabase.commit, pg.PgDatabase.rollback
        hold, read_at_commit = pg.PgDatabase.hold, pg.PgDatabase.read_at_commit
        if not one_lock:
            # Where in the commit message the server takes the first counter: what comes before it (the search
            # key, the party rows) keeps no other desk waiting. statement_timestamp() is when the server got
            # the message; the time from there to the counter comes back as one more column of the numbers'
            # read (Numbers.taken reads the columns it needs, in order, and leaves the rest).
            def marked_hold(self, sql, params=()):
                if "_counter" in sql and not getattr(self._state, "lock_marked", False):
                    self._state.lock_marked = True
                    hold(self, "SELECT set_config('xinfang.before_lock_us', (extract(epoch FROM clock_timestamp()"
                               " - statement_timestamp()) * 1000000)::bigint::text, true)")
                return hold(self, sql, params)

            def marked_read(self, sql):
                self._state.lock_marked = False
                return read_at_commit(self, sql + ", COALESCE(current_setting('xinfang.before_lock_us', true), '0')"
                                      "::bigint")

            pg.PgDatabase.hold, pg.PgDatabase.read_at_commit = marked_hold, marked_read

        def start() -> None:
            if cls.since is None:
                cls.since, cls.trips0 = time.perf_counter(), _Lan.trips
                _Lan.arm()

        def end() -> None:
            if cls.since is not None:
                cls.seconds += time.perf_counter() - cls.since - _Lan.first_before
                cls.trips += max(0, _Lan.trips - cls.trips0 - 1)
                cls.since = None

        def timed_begin(self, lock_type=None):
            if one_lock and lock_type in ("IMMEDIATE", "EXCLUSIVE", "SHARED"):
                start()
            return begin(self, lock_type)

        def timed_commit(self):
            read = None if one_lock else getattr(self._state, "read", None)
            if read is not None:
                start()                # a registration's commit: the server takes its numbers in this message
            try:
                return commit(self)
            finally:
                # the server's time in the message before it took the first counter: not held yet
                cls.seconds -= read[1][0][-1] / 1e6 if read is not None and read[1] else 0.0
                end()

        def timed_rollback(self):
            try:
                return rollback(self)
            finally:
                end()

        pg.PgDatabase.begin, pg.PgDatabase.commit, pg.PgDatabase.rollback = timed_begin, timed_commit, timed_rollback


def _server_cpu(db) -> float | None:
    """Seconds of CPU this connection's server process has used, when it runs on this machine (else None)."""
    if getattr(db, "engine", "sqlite") != "postgresql":
        return None
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")     # utime + stime


def desk(folder: str, desk_no: int, each: int, one_lock: bool, rtt_ms: float = 0.0) -> None:
    """One desk (its own process): ``each`` registrations as the 登记 page makes them (services/intake.py: the
    case and the end of the clerk's draft), each routed, as fast as it can. Prints its start and
    end (wall clock), its own CPU seconds and its server process's (or null), the seconds it held what other
    desks wait for, its round trips for the registrations, for the actions and while holding that, and the
    emulated LAN's wait and all its round trips (the last five null on SQLite). ``rtt_ms``: the emulated
    LAN's round trip (_Lan)."""
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.services.intake import IntakeService

    if one_lock:
        _one_writer_lock()
    svc = open_services(Path(folder), key=bench_key(Path(folder)), create=False)
    clerk, admin = svc.auth.user("desk"), svc.auth.user(ADMIN)
    postgres = getattr(svc.db, "engine", "sqlite") == "postgresql"
    if postgres:
        _Held.watch(one_lock)
        _Lan.watch(rtt_ms)
    server0 = _server_cpu(svc.db)
    trips0, slept0 = _Lan.trips, _Lan.slept
    register_trips = act_trips = 0
    cpu0 = time.process_time()
    start = time.time()            # after start-up and login: only the work is timed
    for i in range(each):
        reg = RegistrationInput(
            channel="走访", received_at=datetime.now().replace(microsecond=0),
            petitioners=[PetitionerInput(name="欧阳" + "甲乙丙丁"[desk_no % 4], phone=f"139{desk_no:04d}{i:04d}",
                                         township_code=UNIT)],
            category_code="0401", request="要求追讨拖欠的工资", facts="拖欠工资", reasons="催讨未果")
        t0 = _Lan.trips
        ref = svc.get(IntakeService).register(clerk, reg)
        t1 = _Lan.trips
        svc.cases.act(admin, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
        register_trips, act_trips = register_trips + t1 - t0, act_trips + _Lan.trips - t1
    end = time.time()
    trips, slept = _Lan.trips - trips0, _Lan.slept - slept0
    cpu = time.process_time() - cpu0
    server1 = _server_cpu(svc.db)
    server = None if server0 is None or server1 is None else server1 - server0
    lan = [register_trips, act_trips, _Held.trips, slept, trips] if postgres else [None] * 5
    print(json.dumps([start, end, cpu, server, _Held.seconds if postgres else None, *lan]))
    svc.close()


def registrations_per_second(folder: Path, desks: int, each: int, one_lock: bool = False,
                             rtt_ms: float = 0.0) -> dict | str:
    """All desks' registrations over the time from the first desk's start of work to the last one's end, the
    CPU one registration took (client, server: ms) and its round trips; the last line of a desk's error when
    one failed (SQLite's "database is locked" once a writer waited 5 s). ``rtt_ms``: the emulated LAN (_Lan)."""
    flags = (["--one-lock"] if one_lock else []) + (["--rtt-ms", str(rtt_ms)] if rtt_ms else [])
    procs = [subprocess.Popen([sys.executable, __file__, "--desk", str(folder), str(n), str(each), *flags], cwd=ROOT,
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for n in range(desks)]
    spans, failed = [], []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            failed.append((err.strip().splitlines() or ["?"])[-1])
        else:
            spans.append(json.loads(out.strip().splitlines()[-1]))
    if failed:
        return f"{len(failed)} of {desks} desks failed: {failed[0]}"
    n = desks * each
    server, held = [sp[3] for sp in spans], [sp[4] for sp in spans]
    counted = None not in [sp[5] for sp in spans]
    return {"per_s": n / (max(sp[1] for sp in spans) - min(sp[0] for sp in spans)),
            "client_cpu_ms": 1000 * sum(sp[2] for sp in spans) / n,
            "server_cpu_ms": None if None in server else 1000 * sum(server) / n,
            "serial_share": None if None in held else sum(held) / sum(sp[1] - sp[0] for sp in spans),
            "round_trips_per_registration": sum(sp[5] for sp in spans) / n if counted else None,
            "round_trips_per_action": sum(sp[6] for sp in spans) / n if counted else None,
            "round_trips_holding_lock": sum(sp[7] for sp in spans) / n if counted else None,
            "lan_wait_ms_per_round_trip": (1000 * sum(sp[8] for sp in spans) / max(1, sum(sp[9] for sp in spans))
                                           if counted else None)}


def _median(runs: list[dict | str]) -> dict | str:
    """Each figure's median over the rounds (per_s, CPU, shares, round trips); a failed run's message when one
    failed."""
    failed = [r for r in runs if isinstance(r, str)]
    if failed:
        return failed[0]
    return {key: None if None in (values := [r[key] for r in runs]) else statistics.median(values)
            for key in runs[0]}


def _figures(got: dict, label: str, one: dict | str, four: dict | str) -> None:
    both = isinstance(one, dict) and isinstance(four, dict)
    got[f"registrations_per_s_1_desk{label}"] = round(one["per_s"], 1) if isinstance(one, dict) else one
    got[f"registrations_per_s_4_desks{label}"] = round(four["per_s"], 1) if isinstance(four, dict) else four
    got[f"four_desks_over_one{label}"] = round(four["per_s"] / one["per_s"], 2) if both else None
    if both:
        for key in ("client_cpu_ms", "server_cpu_ms"):
            if one[key] is not None:
                got[f"{key}_1_desk{label}"] = round(one[key], 2)
                got[f"{key}_4_desks{label}"] = round(four[key], 2)
        for key in ("round_trips_per_registration", "round_trips_per_action", "round_trips_holding_lock"):
            # One desk's: with four, a transaction the server broke off (deadlock) and ran again counts twice.
            if one.get(key) is not None:
                got[f"{key}{label}"] = round(one[key], 2)
        if one["serial_share"] is not None:
            # One desk's share of time holding what the others wait for, and what 4 desks could reach with it
            # if the CPU were not shared (each desk on its own PC): 4 / (1 + 3 s) times one desk.
            got[f"serial_share_1_desk{label}"] = round(one["serial_share"], 3)
            got[f"amdahl_4_over_1{label}"] = round(4 / (1 + 3 * one["serial_share"]), 2)
        cpu_ms = four["client_cpu_ms"] + (four["server_cpu_ms"] or 0)
        cores = os.cpu_count() or 1
        got[f"cpu_bound_per_s{label}"] = round(1000 * cores / cpu_ms, 1)
        # With the client's CPU taken out: what the server's CPU alone would allow, against one desk's rate.
        if four["server_cpu_ms"]:
            got[f"server_cpu_bound_over_one{label}"] = round(1000 * cores / four["server_cpu_ms"] / one["per_s"], 2)


def _desks_line(got: dict, label: str, title: str) -> str:
    """One readable line of the desk figures of ``label`` (after _figures)."""
    def g(key: str):
        return got.get(f"{key}{label}")

    text = (f"{title}: 1 desk {g('registrations_per_s_1_desk')}/s, 4 desks {g('registrations_per_s_4_desks')}/s "
            f"({g('four_desks_over_one')}x)")
    if g("client_cpu_ms_1_desk") is not None:
        text += (f"; per registration and its action: client CPU {g('client_cpu_ms_1_desk')} ms (1 desk), "
                 f"{g('client_cpu_ms_4_desks')} ms (4)")
    if g("server_cpu_ms_1_desk") is not None:
        text += f", server CPU {g('server_cpu_ms_1_desk')} ms (1), {g('server_cpu_ms_4_desks')} ms (4)"
    if g("round_trips_per_registration") is not None:
        text += (f"; round trips: {g('round_trips_per_registration')} per registration, "
                 f"{g('round_trips_per_action')} per action, {g('round_trips_holding_lock')} holding the lock")
    if g("serial_share_1_desk") is not None:
        text += (f"; lock-holding share {g('serial_share_1_desk')} -> Amdahl bound {g('amdahl_4_over_1')}x with 4 "
                 "(each desk on its own CPU)")
    return text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--each", type=int, default=50, help="registrations per desk")
    ap.add_argument("--database", help="an existing empty PostgreSQL database (default: a throwaway cluster)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every pair of 1 and 4 desks this many times, interleaved, and give the medians (and "
                         "each round's ratio): a machine others use changes its load while the benchmark runs")
    ap.add_argument("--rtt-ms", type=float, default=0.0,
                    help="also run the PostgreSQL desks with an emulated LAN: this many ms of waiting per round trip "
                         "(figures labelled _lan; see the module docstring for what it does not model)")
    ap.add_argument("--durable", action="store_true",
                    help="the throwaway cluster flushes every commit to disk, as a real server does (a registration "
                         "holds its unit's counter until its commit is on disk)")
    args = ap.parse_args()

    out: dict[str, dict] = {}
    with server_database(args.database, args.durable) as url, tempfile.TemporaryDirectory() as tmp:
        for engine, where in (("sqlite", None), ("postgresql", url)):
            folder = Path(tmp) / engine
            got = {"cases": args.cases, "demo_s": round(build(folder, args.cases, where), 1)}
            got.update(measure_reads(folder, args.samples))
            # (label, one writers' lock, emulated LAN round trip ms, title): on PostgreSQL the locking before
            # issue 16 first, then as the program does now, on the same database; then both with the LAN.
            rtt = args.rtt_ms
            shared = f"{os.cpu_count()} cores still shared by the desks and the server"
            runs = [("", False, 0.0, "row locks, loopback (no LAN wait)")]
            if engine == "postgresql":
                runs.insert(0, ("_one_lock", True, 0.0, "one writers' lock, loopback"))
                if rtt > 0:
                    # The same desks with an emulated LAN (module docstring): beside the loopback figures.
                    runs += [("_one_lock_lan", True, rtt, f"one writers' lock, LAN EMULATED ({rtt} ms per "
                                                            f"round trip; {shared})"),
                             ("_lan", False, rtt, f"row locks, LAN EMULATED ({rtt} ms per round trip; {shared})")]
            measured: dict[str, list[tuple]] = {label: [] for label, *_ in runs}
            for _ in range(args.rounds):
                # Rounds interleaved: a change of the machine's load falls on every kind of run alike.
                for label, one_lock, ms, _title in runs:
                    measured[label].append((registrations_per_second(folder, 1, args.each, one_lock, ms),
                                            registrations_per_second(folder, 4, args.each, one_lock, ms)))
            lines = []
            for label, _one_lock, ms, title in runs:
                ones, fours = [one for one, _ in measured[label]], [four for _, four in measured[label]]
                _figures(got, label, _median(ones), _median(fours))
                if args.rounds > 1:
                    got[f"four_desks_over_one{label}_rounds"] = [
                        round(four["per_s"] / one["per_s"], 2) if isinstance(one, dict) and isinstance(four, dict)
                        else None for one, four in measured[label]]
                if engine == "postgresql":
                    lines.append(_desks_line(got, label, f"postgresql desks, {title}"))
            if engine == "postgresql" and rtt > 0:
                got["lan_rtt_ms"] = rtt
                waits = [one["lan_wait_ms_per_round_trip"] for one, _ in measured["_lan"] if isinstance(one, dict)]
                if waits and None not in waits:
                    got["lan_wait_ms_per_round_trip"] = round(statistics.median(waits), 3)
            got["rounds"] = args.rounds
            if engine == "postgresql":
                got["durable_commits"] = bool(args.durable or args.database)
            got["cores"] = os.cpu_count()
            got["load_average_1min"] = round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None
            out[engine] = got
            print(engine, got, flush=True)
            for line in lines:
                print("  " + line, flush=True)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--desk":
        rest = sys.argv[5:]
        desk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), "--one-lock" in rest,
             float(rest[rest.index("--rtt-ms") + 1]) if "--rtt-ms" in rest else 0.0)
    else:
        main()
