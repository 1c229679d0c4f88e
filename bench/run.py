"""`make bench`: every public page measured against the stack's own ceiling, in one run.

    python -m bench.run --n 20000 --duration 10     (make bench N=20000 DURATION=10)
    python -m bench.run --smoke                     (make bench-smoke: tiny corpus, 2 s a measure)

Steps: a dedicated database per corpus size (`<prefix>_20k`, `<prefix>_1k`, on DATABASE_URL's
server or the embedded PostgreSQL), migrated, with a corpus built when it is missing, of the
wrong size or older than the migrations; the app served by gunicorn with the production settings
(the project's gunicorn.conf.py when there is one, connection reuse on, Redis when reachable);
`wrk` drives each page from the same machine. Figures are ratios to B0 (a trivial view through the
full middleware stack, bench/wsgi.py: the ceiling of the stack), because absolute figures drift on
shared machines while ratios within a run hold.

Cache misses are honest: every request of a "miss" measure carries a unique query string, so the
page is computed and stored, never served from the cache (the X-Cache header is counted to prove
it), and article misses also rotate over thousands of different articles.

Output: bench/results/<date>-<size>.json and .md (git-ignored), and the table on stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from bench.b0 import B0_PATH
from bench.corpus import BENCH_SITE_URL

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LUA = BENCH_DIR / "wrk" / "rotate.lua"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PY = sys.executable


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- Databases ----------------------------------------------------------------------------------


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def database_url(name: str) -> str:
    """A URL for database `name` on DATABASE_URL's server, or on the embedded PostgreSQL."""
    base = os.environ.get("DATABASE_URL")
    if base:
        parts = urlsplit(base)
        return urlunsplit(parts._replace(path=f"/{name}"))
    sys.path.insert(0, str(BASE_DIR))
    from config import embedded_db

    embedded_db.start()
    return embedded_db.url(name)


def ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def stored_corpus(url: str) -> tuple[dict | None, str]:
    """The corpus the database holds (bench_corpus), and its current migrations fingerprint."""
    import psycopg

    sys.path.insert(0, str(BASE_DIR))
    from bench.corpus import META_TABLE, migrations_fingerprint

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        fingerprint = migrations_fingerprint(cursor)
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [META_TABLE])
        if not cursor.fetchone()[0]:
            return None, fingerprint
        cursor.execute(f"SELECT info FROM {META_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return (row[0] if row else None), fingerprint


def prepare(name: str, n: int, rebuild: bool) -> str:
    from bench.corpus import CORPUS_VERSION

    ensure_database(name)
    url = database_url(name)
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_ENV", None)
    log(f"{name}: migrating")
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=BASE_DIR
    )
    info, fingerprint = stored_corpus(url)
    stale = (
        rebuild
        or info is None
        or info.get("n") != n
        or info.get("version") != CORPUS_VERSION
        or info.get("migrations") != fingerprint
    )
    if stale:
        why = "asked" if rebuild else "missing" if info is None else "different size or schema"
        log(f"{name}: building a corpus of {n} articles ({why})")
        subprocess.run(
            [PY, "-m", "bench.corpus", "--n", str(n), "--database-url", url],
            env=env,
            check=True,
            cwd=BASE_DIR,
        )
    else:
        log(f"{name}: corpus of {n} articles is up to date (built {info.get('built_at')})")
    return url


# --- The server ---------------------------------------------------------------------------------


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    env: dict
    port: int
    log_path: Path
    workers: int | None
    process: subprocess.Popen | None = None
    command: list[str] = field(default_factory=list)

    def start(self) -> None:
        conf = BASE_DIR / "gunicorn.conf.py"
        command = [PY, "-m", "gunicorn"]
        if conf.exists():
            command += ["-c", str(conf)]
        command += ["--bind", f"127.0.0.1:{self.port}"]
        if self.workers or not conf.exists():
            command += ["--workers", str(self.workers or 2)]
        # The production application plus B0's trivial view (bench/wsgi.py).
        command += ["bench.wsgi:application"]
        self.command = command
        handle = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, env=self.env, cwd=BASE_DIR, stdout=handle, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(self, path: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = cookie
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def drain(self, workers: int) -> None:
        """Wait until every worker is free: requests still running from the previous measure
        (wrk stops sending, not the server working) would otherwise slow the next one."""
        threads = [threading.Thread(target=self.get, args=("/healthz",)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def worker_rss(self) -> dict[int, int]:
        import psutil

        try:
            master = psutil.Process(self.process.pid)
            return {c.pid: c.memory_info().rss for c in master.children()}
        except psutil.NoSuchProcess:
            return {}

    def timeouts(self) -> int:
        text = self.log_path.read_text(errors="replace")
        return text.count("WORKER TIMEOUT")


def server_env(url: str, port: int, run_id: str, secret: str, redis: bool) -> dict:
    env = {**os.environ}
    env.update(
        DATABASE_URL=url,
        DJANGO_ENV="production",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # The public address, as behind a proxy; a constant, so that the stored renders
        # (which carry absolute URLs) stay valid from one run to the next.
        SITE_URL=BENCH_SITE_URL,
        CACHE_KEY_PREFIX=f"bench-{run_id}",
        # Production recycles a worker after ~2,000 requests (gunicorn.conf.py), which would
        # hide a leak and void the RSS comparison: the same workers serve the whole run.
        GUNICORN_MAX_REQUESTS="0",
        PYTHONPATH=str(BASE_DIR),
    )
    env.pop("TEST_DATABASE_NAME", None)
    if redis:
        env["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    else:
        env.pop("REDIS_URL", None)
    return env


def render_stale(env: dict) -> None:
    """The deploy step: store the renders the production settings would serve that are
    missing or stale (`render_articles`; nothing to do when the corpus build made them)."""
    log("render_articles (missing or stale renders only)")
    command = [PY, "manage.py", "render_articles"]
    workers = [
        subprocess.Popen([*command, f"--shard={k}/2"], env=env, cwd=BASE_DIR) for k in range(2)
    ]
    if any(worker.wait() for worker in workers):
        raise SystemExit("bench: render_articles failed")
    # What autovacuum does after a mass re-render in production. The servers these runs use
    # have autovacuum off; without it, every page read after `render_articles` rewrote the
    # renders visited each dead row version too (article miss ~25 % slower at 100k).
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE articles_articlerender")


def try_probe(env: dict, step: str, *args: str) -> dict | list:
    """A probe whose failure (someone's page mid-change) is reported, not fatal to the run."""
    try:
        return probe(env, step, *args)
    except subprocess.CalledProcessError as error:
        log(f"probe {step} failed: {error}")
        return {"error": f"probe {step} failed (exit {error.returncode}); see the log above"}


def probe(env: dict, step: str, *args: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run(
            [PY, "-m", "bench.probe", step, "--out", str(out), *args],
            env=env,
            check=True,
            cwd=BASE_DIR,
        )
        return json.loads(out.read_text() or "null")
    finally:
        out.unlink(missing_ok=True)


# --- Load ---------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"env": env, "stdout": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode:
            subprocess.run(["apt-get", "update", "-qq"], check=True, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, **quiet)
        return shutil.which("wrk") or "wrk"
    raise SystemExit("bench: wrk is missing: install it (apt-get install wrk)")


@dataclass
class Measure:
    key: str
    label: str
    paths: list[str]
    bust: bool = False
    cookie: str | None = None
    prime: bool = False
    query_check: bool = True  # a public page: its queries count towards "≤ 10, identical"
    result: dict | None = None
    skipped: str | None = None


class Load:
    def __init__(self, wrk: str, server: Server, run_id: str, opts, workdir: Path) -> None:
        self.wrk, self.server, self.run_id, self.opts, self.workdir = (
            wrk,
            server,
            run_id,
            opts,
            workdir,
        )
        self.counter = 0

    def run(self, measure: Measure, duration: float | None = None) -> dict:
        self.counter += 1
        paths_file = self.workdir / f"paths-{self.counter}.txt"
        paths_file.write_text("\n".join(measure.paths) + "\n")
        if measure.prime:
            for path in measure.paths[:50]:
                for _ in range(2):
                    self.server.get(path, measure.cookie)
        self.server.drain(max(1, len(self.server.worker_rss())))
        seconds = duration or self.opts.duration
        command = [
            self.wrk,
            f"-t{self.opts.threads}",
            f"-c{self.opts.connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.server.port}",
            "--",
            str(paths_file),
            "1" if measure.bust else "0",
            f"{self.run_id}m{self.counter}",
            "X-Forwarded-Proto: https",
        ]
        if measure.cookie:
            command.append(f"Cookie: {measure.cookie}")
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
        raw = json.loads(line)
        seconds_run = raw["duration_us"] / 1e6
        socket_errors = sum(raw["socket_errors"].values())
        lat = raw["latency_us"]
        done_any = raw["requests"] > 0

        def ms(name: str) -> float | None:
            # No request completed: the latency is unknown, only known to exceed the duration.
            return lat[name] / 1000 if done_any else None

        return {
            "requests": raw["requests"],
            "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
            "incomplete": not done_any,
            "p50_ms": ms("p50"),
            "p90_ms": ms("p90"),
            "p95_ms": ms("p95"),
            "p99_ms": ms("p99"),
            "max_ms": ms("max"),
            "errors": socket_errors + raw["non_2xx_3xx"],
            "status": raw["status"],
            "x_cache": raw["x_cache"],
            "socket_errors": raw["socket_errors"],
            "distinct_paths": len(measure.paths),
        }


def search_paths(search: str, terms: list[str]) -> list[str]:
    return [f"{search}?q={quote(term)}" for term in terms]


def deep_listing(server: Server, listings: list[dict], wanted: int = 500) -> dict | None:
    """The biggest listing that paginates, and its deepest page up to `wanted`."""
    for item in listings:
        path = item["path"]
        s1, _, body1 = server.get(path)
        s2, _, body2 = server.get(f"{path}?page=2")
        if s1 != 200 or s2 != 200 or body1 == body2:
            continue
        if server.get(f"{path}?page={wanted}")[0] == 200:
            return {"path": path, "page": wanted, "capped": False, "articles": item["articles"]}
        low, high = 2, wanted - 1
        while low < high:
            middle = (low + high + 1) // 2
            if server.get(f"{path}?page={middle}")[0] == 200:
                low = middle
            else:
                high = middle - 1
        return {"path": path, "page": low, "capped": True, "articles": item["articles"]}
    return None


def build_measures(found: dict, deep: dict | None, cookie: str | None) -> list[Measure]:
    pages = found["pages"]
    terms = (found.get("corpus") or {}).get("terms", {})
    search = pages.get("search")
    measures = [
        Measure("b0", "B0: a trivial view (ceiling)", [B0_PATH], query_check=False),
        Measure(
            "healthz",
            "/healthz (answered before the middleware stack)",
            [pages.get("healthz") or "/healthz"],
            query_check=False,
        ),
        Measure("home_miss", "home, cache miss", [pages["home"]], bust=True),
        Measure("home_hit", "home, cache hit", [pages["home"]], prime=True),
        Measure("article_hit", "article, cache hit", [pages["article"]], prime=True),
        Measure(
            "article_miss",
            "article, cache miss (rotating articles)",
            found["article_paths"],
            bust=True,
        ),
        Measure("region_miss", "region hub, cache miss", [pages["region"]], bust=True),
        Measure(
            "intersection_miss", "intersection, cache miss", [pages["intersection"]], bust=True
        ),
        Measure("tag_miss", "tag page, cache miss", [pages["tag"]], bust=True),
    ]
    if deep:
        sep = "&" if "?" in deep["path"] else "?"
        measures += [
            Measure(
                "deep_page1",
                f"listing page 1 ({deep['path']}), miss",
                [f"{deep['path']}{sep}page=1"],
                bust=True,
            ),
            Measure(
                "deep_pageN",
                f"listing page {deep['page']}, miss",
                [f"{deep['path']}{sep}page={deep['page']}"],
                bust=True,
            ),
        ]
    else:
        measures.append(Measure("deep_page1", "listing page 1", [], skipped="no paginated listing"))
    measures += [
        Measure("feed_miss", "feed, cache miss", [pages["feed"]], bust=True),
        Measure("sitemap_miss", "sitemap, cache miss", [pages["sitemap"]], bust=True),
    ]
    if search and terms:
        for kind in ("common", "medium", "rare"):
            measures.append(
                Measure(
                    f"search_{kind}",
                    f"search, {kind} terms ({len(terms[kind])}), miss",
                    search_paths(search, terms[kind]),
                    bust=True,
                )
            )
        every = terms["common"] + terms["medium"] + terms["rare"]
        measures.append(
            Measure(
                "search_mix",
                f"search, whole mix ({len(every)} terms), miss",
                search_paths(search, every),
                bust=True,
            )
        )
    else:
        measures.append(Measure("search_mix", "search", [], skipped="no search page or terms"))
    measures.append(
        Measure(
            "admin_full",
            "admin change list (logged in)",
            [pages["admin_changelist"]],
            cookie=cookie,
            query_check=False,
        )
        if pages.get("admin_changelist") and cookie
        else Measure("admin_full", "admin change list", [], skipped="no admin change list")
    )
    for measure in measures:
        if not measure.skipped and (not measure.paths or None in measure.paths):
            measure.skipped = "page not found in the URLconf or corpus"
            measure.paths = []
    return measures


def publish_latency(server: Server, env: dict, home: str) -> dict:
    """Publish an article in review; time until anonymous readers see it on its URL and home."""
    server.drain(max(1, len(server.worker_rss())))
    server.get(home)
    server.get(home)
    box: dict = {}

    def publish() -> None:
        try:
            box["result"] = probe(env, "publish")
        except Exception as error:
            box["error"] = repr(error)

    worker = threading.Thread(target=publish)
    worker.start()
    visible_at = None
    deadline = time.time() + 120
    while time.time() < deadline:
        if "error" in box:
            break
        result = box.get("result")
        if result:
            if result.get("missing"):
                break
            deadline = min(deadline, result["committed_at"] + 30)
            try:
                status, _, _ = server.get(result["path"])
                _, _, body = server.get(home)
            except OSError:  # a worker still busy with the previous measure's requests
                continue
            if status == 200 and result["path"].encode() in body:
                visible_at = time.time()
                break
        time.sleep(0.01)
    worker.join()
    if "error" in box:
        return {"error": box["error"]}
    result = box.get("result") or {"error": "publishing did not finish in 120 s"}
    if result.get("missing"):
        return {"skipped": result["missing"]}
    seconds = round(visible_at - result["committed_at"], 3) if visible_at else None
    return {**result, "seconds": seconds}


# --- Report -------------------------------------------------------------------------------------


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return value / base


def evaluate(results: dict) -> list[dict]:
    m = results["measures"]
    b0 = (m.get("b0") or {}).get("rps")
    n = results["run"]["n"]
    targets = []

    def add(name: str, measured: str, met: bool | None, note: str = "") -> None:
        targets.append({"target": name, "measured": measured, "met": met, "note": note})

    def share(key: str) -> float | None:
        return ratio((m.get(key) or {}).get("rps"), b0)

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x * 100:.1f} % of B0"

    x = share("article_hit")
    add("article, cache hit ≥ 50 % of B0", pct(x), None if x is None else x >= 0.5)
    x = share("article_miss")
    add("article, cache miss ≥ 10 % of B0", pct(x), None if x is None else x >= 0.10)
    for key, name in (
        ("home_miss", "home"),
        ("region_miss", "region hub"),
        ("intersection_miss", "intersection"),
        ("tag_miss", "tag page"),
    ):
        x = share(key)
        add(f"{name}, cache miss ≥ 5 % of B0", pct(x), None if x is None else x >= 0.05)

    queries = results.get("queries", {})
    rows = [q for q in queries.get("full", []) if q.get("public")]
    small = {q["key"]: q for q in queries.get("small", [])}
    worst = max((q["queries"] for q in rows), default=None)
    differ = [
        q["key"] for q in rows if q["key"] in small and small[q["key"]]["queries"] != q["queries"]
    ]
    add(
        "SQL queries per public page ≤ 10, identical at 1k and full size",
        f"max {worst}; differ: {', '.join(differ) or 'none'}",
        None if worst is None else worst <= 10 and not differ,
    )

    p1, pn = m.get("deep_page1"), m.get("deep_pageN")
    if p1 and pn and p1.get("p95_ms") and pn.get("p95_ms") is not None:
        deep = results.get("deep") or {}
        x = ratio(pn["p95_ms"], p1["p95_ms"])
        note = (
            f"page {deep.get('page')} is the deepest page served (page numbers are capped)"
            if deep.get("capped")
            else ""
        )
        add("deep listing page p95 ≤ 2 x page 1", f"{x:.2f} x", x <= 2, note)
    else:
        add("deep listing page p95 ≤ 2 x page 1", "n/a", None)

    at = "" if n >= 100000 else f" (measured at {n}, target is for 100k)"
    for key, limit in (("search_rare", 50), ("search_medium", 50), ("search_mix", 150)):
        r = m.get(key) or {}
        name = f"search {key.split('_')[1]} p95 ≤ {limit} ms"
        if r.get("incomplete"):
            add(name, f"no request completed in {results['run']['duration']} s", False, at)
        elif r.get("p95_ms") is not None:
            add(name, f"{r['p95_ms']:.1f} ms", r["p95_ms"] <= limit, at)
        else:
            add(name, "n/a", None, at)
    search = results.get("search") or {}
    agreement = search.get("agreement") or {}
    if agreement:
        mean = sum(agreement.values()) / len(agreement)
        add(
            "top-10 agreement ≥ 80 % on common terms",
            f"mean {mean * 100:.0f} %, min {min(agreement.values()) * 100:.0f} %",
            mean >= 0.8,
            at,
        )
    else:
        add("top-10 agreement ≥ 80 % on common terms", "n/a", None)
    facets = search.get("facets") or {}
    if facets:
        term, f = next(iter(facets.items()))
        add(
            "search facet counts, common term ≤ 150 ms",
            f"{term!r}: median {f['ms_median']} ms, max {f['ms_max']} ms",
            f["ms_median"] <= 150,
            at,
        )
    else:
        add("search facet counts, common term ≤ 150 ms", "n/a", None)

    a1, an = m.get("admin_small") or {}, m.get("admin_full") or {}
    if an.get("incomplete"):
        add("admin change list p95 at full size ≤ 2 x at 1k", "no request completed", False)
    elif a1.get("p95_ms") and an.get("p95_ms") is not None:
        x = ratio(an["p95_ms"], a1["p95_ms"])
        add("admin change list p95 at full size ≤ 2 x at 1k", f"{x:.2f} x", x <= 2)
    else:
        add("admin change list p95 at full size ≤ 2 x at 1k", "n/a", None)

    pub = results.get("publish") or {}
    seconds = pub.get("seconds")
    add(
        "publish → visible to anonymous readers ≤ 5 s",
        pub.get("error") or ("not visible in 30 s" if seconds is None else f"{seconds:.2f} s"),
        None if not pub or pub.get("skipped") else seconds is not None and seconds <= 5,
    )

    rss = results.get("rss") or {}
    growth = rss.get("max_growth")
    errors = sum(r.get("errors", 0) for r in m.values())
    timeouts = rss.get("timeouts", 0)
    add(
        "worker RSS after ≤ 1.2 x before; no timeouts; 0 errors",
        f"RSS x {growth if growth is not None else 'n/a'}; {timeouts} timeouts; {errors} errors",
        growth is not None and growth <= 1.2 and timeouts == 0 and errors == 0,
        rss.get("note", ""),
    )
    return targets


def markdown(results: dict) -> str:
    run = results["run"]
    m = results["measures"]
    b0 = (m.get("b0") or {}).get("rps")
    queries_full = {q["key"]: q for q in results.get("queries", {}).get("full", [])}
    queries_small = {q["key"]: q for q in results.get("queries", {}).get("small", [])}
    lines = [
        f"### {run['date']} · {run['n']} articles · {run['duration']} s per measure",
        "",
        f"{run['machine']['cpu']} ({run['machine']['cores']} cores), "
        f"load average {run['machine']['load_before']} → {run['machine']['load_after']}; "
        f"gunicorn {run['workers']} workers; cache: {run['cache']}; "
        f"wrk -t{run['threads']} -c{run['connections']}.",
        "",
        "| measure | req/s | % of B0 | p50 ms | p95 ms | p99 ms | errors | queries 1k / full "
        "| X-Cache hit/miss |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in m.items():
        label = results["labels"].get(key, key)
        if r.get("skipped"):
            lines.append(f"| {label} | skipped: {r['skipped']} | | | | | | | |")
            continue
        share = ratio(r["rps"], b0) or 0.0
        if r.get("incomplete"):
            lines.append(
                f"| {label} | 0 | 0 % | > {run['duration']} s | | | {r['errors']} | | "
                "no request completed |"
            )
            continue
        q_full = queries_full.get(key, {}).get("queries", "")
        q_small = queries_small.get(key, {}).get("queries", "")
        q = f"{q_small} / {q_full}" if q_full != "" else ""
        cache = f"{r['x_cache']['hit']}/{r['x_cache']['miss']}"
        lines.append(
            f"| {label} | {r['rps']:.0f} | {share * 100:.1f} % | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {q} | {cache} |"
        )
    lines += ["", "| target | measured | met? | note |", "|---|---|---|---|"]
    for t in results.get("targets") or evaluate(results):
        met = "n/a" if t["met"] is None else "met" if t["met"] else "**not met**"
        lines.append(f"| {t['target']} | {t['measured']} | {met} | {t['note']} |")
    return "\n".join(lines) + "\n"


def machine_info() -> dict:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_before": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Meridian's benchmark (see bench/run.py)")
    parser.add_argument("--n", type=int, default=20000, help="articles in the corpus")
    parser.add_argument("--small", type=int, default=1000, help="the small corpus compared")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measure")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "meridian_bench"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpora")
    parser.add_argument("--smoke", action="store_true", help="tiny corpus, 2 s per measure")
    parser.add_argument("--no-cache", action="store_true", help="serve without Redis")
    opts = parser.parse_args(argv)
    if opts.smoke:
        opts.n, opts.small, opts.duration = min(opts.n, 300), 100, 2
        opts.threads, opts.connections = 1, 4
    os.chdir(BASE_DIR)
    sys.path.insert(0, str(BASE_DIR))

    started = time.monotonic()
    wrk = ensure_wrk()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    run_id = secrets.token_hex(4)
    name = f"{stamp}-{size_label(opts.n)}"
    workdir = Path(tempfile.mkdtemp(prefix="meridian-bench-"))
    machine = machine_info()

    small_url = prepare(f"{opts.db_prefix}_{size_label(opts.small)}", opts.small, opts.rebuild)
    full_url = prepare(f"{opts.db_prefix}_{size_label(opts.n)}", opts.n, opts.rebuild)
    redis = redis_reachable() and not opts.no_cache
    secret = secrets.token_urlsafe(48)
    log(f"cache: {'Redis' if redis else 'none (Redis unreachable)'}")

    env_full_probe = server_env(full_url, 0, run_id, secret, redis)
    log("collecting static files (the production storage needs its manifest)")
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env_full_probe,
        check=True,
        cwd=BASE_DIR,
    )

    results: dict = {
        "run": {
            "date": stamp,
            "n": opts.n,
            "small": opts.small,
            "duration": opts.duration,
            "threads": opts.threads,
            "connections": opts.connections,
            "cache": "Redis" if redis else "none",
            "machine": machine,
            "postgres": postgres_version(full_url),
        },
        "measures": {},
        "labels": {},
        "queries": {},
    }
    load_log = RESULTS_DIR / f"{name}-gunicorn.log"

    # The small corpus: the admin change list and query counts to compare with.
    port = free_port()
    env_small = server_env(small_url, port, run_id + "s", secret, redis)
    render_stale(env_small)
    server = Server(env_small, port, load_log, opts.workers)
    log(f"serving {opts.small} articles on 127.0.0.1:{port}")
    server.start()
    try:
        found_small = probe(env_small, "discover", "--limit", "2000")
        load = Load(wrk, server, run_id + "s", opts, workdir)
        small_measures = build_measures(found_small, None, _cookie(found_small))
        admin = next(x for x in small_measures if x.key == "admin_full")
        if not admin.skipped:
            load.run(Measure("warm", "warm", admin.paths, cookie=admin.cookie), duration=1)
            results["measures"]["admin_small"] = load.run(admin)
            results["labels"]["admin_small"] = f"admin change list at {opts.small} (logged in)"
    finally:
        server.stop()
    results["queries"]["small"] = count_queries(env_small, found_small, small_measures)

    # The full corpus: everything.
    port = free_port()
    env = server_env(full_url, port, run_id, secret, redis)
    render_stale(env)
    server = Server(env, port, load_log, opts.workers)
    log(f"serving {opts.n} articles on 127.0.0.1:{port}")
    server.start()
    try:
        rss_boot = server.worker_rss()
        results["run"]["workers"] = len(rss_boot)
        results["run"]["gunicorn"] = " ".join(server.command[1:])
        found = probe(env, "discover")
        results["run"]["corpus"] = found.get("corpus")
        deep = deep_listing(server, found["listings"])
        results["deep"] = deep
        measures = build_measures(found, deep, _cookie(found))
        load = Load(wrk, server, run_id, opts, workdir)
        warm_paths = [x.paths[0] for x in measures if x.paths and not x.cookie]
        log("warming up every worker")
        load.run(Measure("warm", "warm", warm_paths, bust=True), duration=min(3, opts.duration))
        rss_before = server.worker_rss()
        for measure in measures:
            results["labels"][measure.key] = measure.label
            if measure.skipped:
                results["measures"][measure.key] = {"skipped": measure.skipped}
                log(f"{measure.label}: skipped ({measure.skipped})")
                continue
            r = load.run(measure)
            if measure.bust and r["x_cache"]["hit"]:
                r["warning"] = f"{r['x_cache']['hit']} cache hits in a miss measure"
            results["measures"][measure.key] = r
            p95 = "none completed" if r["incomplete"] else f"{r['p95_ms']:.1f} ms"
            log(
                f"{measure.label}: {r['rps']:.0f} req/s, p95 {p95}, errors {r['errors']}, "
                f"X-Cache {r['x_cache']}"
            )
        rss_after = server.worker_rss()
        log("publish → visible")
        results["publish"] = publish_latency(server, env, found["pages"]["home"])
        log(f"publish → visible: {results['publish']}")
        results["rss"] = rss_report(rss_boot, rss_before, rss_after, server.timeouts())
    finally:
        server.stop()
    if (results.get("publish") or {}).get("id"):
        try_probe(env, "unpublish", "--id", str(results["publish"]["id"]))
    results["queries"]["full"] = count_queries(env, found, measures)
    log("search quality and facet timings")
    results["search"] = try_probe(env, "search")

    machine["load_after"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results["targets"] = evaluate(results)
    results["run"]["seconds"] = round(time.monotonic() - started)
    table = markdown(results)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS_DIR / f"{name}.md").write_text(table)
    print()
    print(table)
    log(f"results: bench/results/{name}.json and .md ({results['run']['seconds']} s)")
    shutil.rmtree(workdir, ignore_errors=True)

    failures = [k for k, r in results["measures"].items() if r.get("errors")]
    if failures:
        log(f"requests failed in: {', '.join(failures)}")
        return 1
    return 0


def _cookie(found: dict) -> str | None:
    cookie = found.get("admin_cookie")
    return f"{cookie['name']}={cookie['value']}" if cookie else None


def count_queries(env: dict, found: dict, measures: list[Measure]) -> list[dict]:
    """SQL queries per page with Django's test client (a local-memory page cache, so the first
    request is a miss and the second shows what a hit costs)."""
    items = []
    for measure in measures:
        if measure.skipped or measure.key == "b0":
            continue
        items.append(
            {
                "key": measure.key,
                "path": measure.paths[0],
                "admin": bool(measure.cookie),
                "public": measure.query_check,
            }
        )
    local = {**env, "PAGE_CACHE_SECONDS": "300"}
    local.pop("REDIS_URL", None)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(items, handle)
    try:
        found = try_probe(local, "queries", "--paths", handle.name)
        return found if isinstance(found, list) else []
    finally:
        Path(handle.name).unlink(missing_ok=True)


def rss_report(boot: dict, before: dict, after: dict, timeouts: int) -> dict:
    same = [pid for pid in before if pid in after]
    growth = max((after[pid] / before[pid] for pid in same), default=None)
    note = "before = after warm-up (imports and template loading done)"
    if set(before) != set(after):
        note += f"; workers restarted during the run ({len(set(before) - set(after))})"
    mib = {
        k: {str(p): round(v / 2**20, 1) for p, v in d.items()}
        for k, d in (("boot", boot), ("before", before), ("after", after))
    }
    return {
        "mib": mib,
        "max_growth": round(growth, 3) if growth else None,
        "timeouts": timeouts,
        "note": note,
    }


if __name__ == "__main__":
    sys.exit(main())
