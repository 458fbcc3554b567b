"""Benchmark a long back catalogue (issue 11): build, rebuild, publish, feed, memory, side by side
with Hugo, ``aws s3 sync`` and ``rclone sync --checksum``. Writes the table to BENCHMARKS.md.

Generates a show of N episodes (default 1,000): distinct ~1 MB MP3s, ~5 KB notes with 10
citations each from a 500-entry bibliography, chapters on every tenth episode. Then, as
medians of ``--runs`` runs with their spread (min-max), every figure a wall time of the
command a user runs (``python -m publisher ...``, a new process each time):

* cold build (no _site/, no cache), unchanged rebuild, rebuild after editing one note;
  Hugo (Debian's ``hugo``) building the same notes as pages, from scratch each time;
* add one episode, then ``publisher publish`` (which builds, uploads, verifies) to a local
  SeaweedFS, beside ``aws s3 sync`` and ``rclone sync --checksum`` of the same _site/ (as the
  build left it: every page rewritten) to their own buckets: on loopback, and through a
  proxy of our own adding a 30 ms round trip and a 100 Mbit/s cap; and publishing again
  with nothing changed. Each publish is run ``--publish-runs`` times (default 7: a publish
  takes one or two seconds, and this shared machine's noise is of a few tenths), but
  ``aws s3 sync``, which takes 35 s a run on loopback and 140 s through the proxy, only in
  the first ``--aws-runs`` rounds (default 3);
* feed generation alone at ``--big`` episodes (default 10,000; items made directly, notes
  rendered by the real renderer): main feed and archives, beside feedgen writing the same
  items into one feed;
* peak memory (``/usr/bin/time -v``, maximum resident set size) of every cold build, and of
  a cold build of a ``--big-build``-episode show (default ``--big``; it writes that many MP3s
  and takes long: ``--big-build 0`` leaves it out).

The package's bytecode is compiled first, as ``pip install`` does for an installed package:
else, where ``PYTHONDONTWRITEBYTECODE`` is set (this machine sets it) or the tree is read-only,
every run of ours would compile each module again (~0.1 s of an add-one publish).

Needs ``hugo``, ``rclone`` and ``aws`` on PATH (``apt-get install hugo rclone awscli``);
a missing one is reported and left out. Run from the repository root::

    make bench-catalogue          # or: .venv/bin/python bench/bench_catalogue.py
    .venv/bin/python bench/bench_catalogue.py --episodes 300 --big 2000 --runs 3
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from catalogue_show import NOW, encode_clip, make_hugo_site, make_show, write_episode  # noqa: E402
from slowproxy import SlowProxy  # noqa: E402

from tests.support.s3server import SeaweedS3  # noqa: E402

TOOLS = ("hugo", "aws", "rclone")


@dataclass
class Row:
    what: str
    tool: str
    samples: list[float] = field(default_factory=list)  # wall seconds
    cpu: list[float] = field(default_factory=list)  # user + system seconds (children too)
    rss: list[int] = field(default_factory=list)  # peak resident set, MB
    note: str = ""

    def cells(self) -> tuple[str, str, str]:
        if not self.samples:
            return "—", "", ""
        med = statistics.median(self.samples)
        spread = (
            f"{min(self.samples):.3g}–{max(self.samples):.3g} s ({len(self.samples)} runs)"
            if len(self.samples) > 1
            else "1 run"
        )
        cpu = f"{statistics.median(self.cpu):.3g} s" if self.cpu else ""
        return f"{med:.3g} s", spread, cpu


@dataclass
class Bench:
    work: Path
    runs: int
    env: dict[str, str]
    rows: list[Row] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def row(self, what: str, tool: str, note: str = "") -> Row:
        r = Row(what, tool, note=note)
        self.rows.append(r)
        return r

    def run(self, cmd: list[str], row: Row | None = None) -> float:
        """Run ``cmd`` under ``/usr/bin/time -v``; add its wall seconds, CPU seconds and peak
        RSS to ``row``; exits with its output if it fails. Before a timed run, whichever tool
        it is, the page cache is written out (:func:`settle`)."""
        if row is not None:
            settle()
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", *cmd], env=self.env, capture_output=True, text=True
        )
        took = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        if row is not None:
            err = done.stderr

            def last(label: str) -> float:
                return float(re.findall(rf"{re.escape(label)}: ([\d.]+)", err)[-1])

            row.samples.append(took)
            row.cpu.append(last("User time (seconds)") + last("System time (seconds)"))
            row.rss.append(int(last("Maximum resident set size (kbytes)")) // 1024)
            print(f"  {row.what} | {row.tool}: {took:.2f} s", file=sys.stderr, flush=True)
        return took


def settle() -> None:
    """Write out what earlier steps left in the page cache (the rebuilt site's copy: 1 GB;
    the server's files after a full ``aws s3 sync``): else the kernel's writeback of those,
    up to 30 s later, can land inside whichever timed run comes next. (Waiting idle for
    seconds as well made every short run on this VM slower, Hugo's too: not done.)"""
    os.sync()


def publisher(show: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "publisher", *args, "--show", str(show), "--now", NOW.isoformat()]


def builds(bench: Bench, show: Path, n: int) -> dict[str, float]:
    """Cold, unchanged and one-note-edited builds; returns medians by name."""
    cold = bench.row(f"cold build, {n} episodes", "publisher build")
    same = bench.row(f"unchanged rebuild, {n} episodes", "publisher build")
    edit = bench.row(f"rebuild after editing one note, {n} episodes", "publisher build")
    for _ in range(bench.runs):
        shutil.rmtree(show / "_site", ignore_errors=True)
        shutil.rmtree(show / ".publisher", ignore_errors=True)
        bench.run(publisher(show, "build", "--to", "loop"), cold)
    cold.note = f"peak RSS {max(cold.rss)} MB"
    for _ in range(bench.runs):
        bench.run(publisher(show, "build", "--to", "loop"), same)
    note = show / "show_notes" / "ep-00000.md"
    for k in range(bench.runs):
        with note.open("a", encoding="utf-8") as f:
            f.write(f"\nAn added sentence, edit {k}.\n")
        bench.run(publisher(show, "build", "--to", "loop"), edit)
    return {"cold": statistics.median(cold.samples), "same": statistics.median(same.samples)}


def hugo(bench: Bench, show: Path, n: int) -> float | None:
    row = bench.row(f"build the same {n} notes as pages", "hugo (full build)")
    if not shutil.which("hugo"):
        row.note = "hugo not on PATH: left out"
        return None
    site = make_hugo_site(bench.work / "hugo", show)
    for _ in range(bench.runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        bench.run(["hugo", "--quiet", "-s", str(site)], row)
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout
    row.note = version.split()[1] if version else ""
    return statistics.median(row.samples)


WITHOUT: set[str] = set()  # tools left out (--without)


def sync_cmds(site: Path, bucket: str, endpoint: str, remote: str) -> dict[str, list[str]]:
    cmds = {}
    if shutil.which("aws") and "aws" not in WITHOUT:
        cmds["aws s3 sync"] = [
            "aws",
            "s3",
            "sync",
            str(site),
            f"s3://aws-{bucket}/show/",
            "--endpoint-url",
            endpoint,
            "--only-show-errors",
        ]
    if shutil.which("rclone") and "rclone" not in WITHOUT:
        cmds["rclone sync --checksum"] = [
            "rclone",
            "sync",
            "--checksum",
            str(site),
            f"{remote}:rclone-{bucket}/show",
        ]
    return cmds


def publishes(
    bench: Bench,
    show: Path,
    n: int,
    server: SeaweedS3,
    proxy: SlowProxy,
    runs: int,
    aws_runs: int,
) -> None:
    site = show / "_site"
    nets = {"loop": (server.endpoint, "LOOP"), "wan": (proxy.endpoint, "WAN")}
    added = n

    regen = bench.work / "regenerated"

    def regenerate() -> None:  # untimed: the site as a generator that rewrites every file
        shutil.rmtree(regen, ignore_errors=True)
        shutil.copytree(site, regen, copy_function=shutil.copyfile)  # new mtimes throughout

    def initial(net: str) -> None:  # untimed: bring the net's buckets up to date directly
        target = "loop" if net == "loop" else "wan-init"
        bench.run(publisher(show, "publish", "--to", target, "--no-verify"))
        regenerate()
        for cmd in sync_cmds(regen, net, server.endpoint, "LOOP").values():
            bench.run(cmd)

    for net, (endpoint, remote) in nets.items():
        label = "loopback" if net == "loop" else "30 ms RTT, 100 Mbit/s"
        initial(net)
        add = {
            "publisher publish": bench.row(
                f"add one episode, build + publish ({label})", "publisher publish"
            )
        }
        same = {"publisher publish": bench.row(f"unchanged publish ({label})", "publisher publish")}
        for tool in sync_cmds(site, net, endpoint, remote):
            add[tool] = bench.row(f"add one episode, publish the rebuilt site ({label})", tool)
            same[tool] = bench.row(f"unchanged publish ({label})", tool)
        cmds = sync_cmds(regen, net, endpoint, remote)
        for k in range(runs):
            write_episode(show, added, n, CLIP[0])
            added += 1
            bench.run(publisher(show, "publish", "--to", net), add["publisher publish"])
            regenerate()
            for tool, cmd in cmds.items():
                if tool != "aws s3 sync" or k < aws_runs:  # aws: the first aws_runs rounds
                    bench.run(cmd, add[tool])
        for k in range(runs):
            bench.run(publisher(show, "publish", "--to", net), same["publisher publish"])
            regenerate()
            for tool, cmd in cmds.items():
                if tool != "aws s3 sync" or k < aws_runs:
                    bench.run(cmd, same[tool])
        for tool in add:
            if tool != "publisher publish":
                add[tool].note = "the rebuilt site copied afresh (every file a new mtime)"


CLIP: list[bytes] = []


def feed_generation(bench: Bench, big: int) -> None:
    """In-process: the feed stage alone on ``big`` items, and feedgen writing them as one feed."""
    from publisher import feed
    from tests.support.catalogue import (
        BASE,
        catalogue_items,
        rendered_notes,
        sample_show,
        show_links,
    )

    renderings = rendered_notes(bench.work)
    items = catalogue_items(big, renderings)
    show, links = sample_show(), show_links()
    ours = bench.row(f"feed generation, {big} episodes (main + archives)", "publisher feed stage")
    for _ in range(max(bench.runs, 5)):
        c0, t0 = time.process_time(), time.perf_counter()
        feeds = feed.build_feeds(show, links, items, lambda k: f"{BASE}feed-archive-{k}.xml")
        ours.samples.append(time.perf_counter() - t0)
        ours.cpu.append(time.process_time() - c0)
    ours.note = f"feed.xml {len(feeds.main) / 1e6:.2f} MB" + (
        f" + {len(feeds.archives)} archives of ≤ {max(len(a) for a in feeds.archives) / 1e6:.2f} MB"
        if feeds.archives
        else ""
    )
    base = bench.row(f"feed generation, {big} episodes (one feed)", "feedgen, one entry each")
    for _ in range(max(bench.runs, 3)):
        c0, t0 = time.process_time(), time.perf_counter()
        data = feedgen_baseline(items)
        base.samples.append(time.perf_counter() - t0)
        base.cpu.append(time.process_time() - c0)
    over = ", over the 5 MB cap" if len(data) > 5_000_000 else ""
    base.note = f"{len(data) / 1e6:.1f} MB{over}: every item with its full notes"


def feedgen_baseline(items: tuple[object, ...]) -> bytes:
    """What a producer's own script does: feedgen's podcast extension, one entry per item."""
    import lxml.etree  # noqa: F401  (feedgen needs it first)
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("Bench")
    fg.link(href="https://podcast.example.org/show/")
    fg.description("bench")
    for item in items:
        ep, links, notes = item.episode, item.links, item.notes  # type: ignore[attr-defined]
        fe = fg.add_entry(order="append")
        fe.title(ep.title)
        fe.guid(ep.guid, permalink=False)
        fe.link(href=links.page_url)
        fe.pubDate(ep.date)
        fe.description(notes.description_html)
        fe.content(notes.content_html, type="CDATA")
        fe.enclosure(links.media_url, str(ep.audio.size), ep.audio.mime_type)
        fe.podcast.itunes_duration(ep.audio.seconds)
    data: bytes = fg.rss_str(pretty=True)
    return data


def big_build(bench: Bench, big: int, clip: bytes) -> None:
    show = make_show(
        bench.work / "big",
        big,
        clip,
        {
            "local": {
                "location": str(bench.work / "big-public"),
                "public_url": "https://podcast.example.org/show/",
            }
        },
    )
    row = bench.row(f"cold build, {big} episodes", "publisher build")
    bench.run(publisher(show, "build"), row)
    row.note = f"peak RSS {row.rss[0]} MB"
    shutil.rmtree(show)


def machine(load: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    tools = []
    for tool, args in (("hugo", ["version"]), ("aws", ["--version"]), ("rclone", ["version"])):
        if shutil.which(tool):
            out = subprocess.run([tool, *args], capture_output=True, text=True)
            tools.append((out.stdout or out.stderr).splitlines()[0].strip())
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {mem.split(':')[1].strip()} RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"load average at start {load} (the machine is shared: figures are of one run on it)\n"
        f"Tools: {'; '.join(tools)}"
    )


def write_report(bench: Bench, out: Path, header: str, ratios: list[str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `python bench/bench_catalogue.py` (`make bench-catalogue`); "
        "re-run it to refresh this file.",
        "",
        header,
        "",
        "| measurement | tool | median wall time | spread | median CPU (user+sys) | notes |",
        "|---|---|---|---|---|---|",
    ]
    for r in bench.rows:
        med, spread, cpu = r.cells()
        lines.append(f"| {r.what} | {r.tool} | {med} | {spread} | {cpu} | {r.note} |")
    lines += ["", "## Against the targets of issue 11 (ratios in this run)", "", *ratios, ""]
    lines += bench.extra
    text = "\n".join(lines).rstrip() + "\n"
    out.write_text(text, encoding="utf-8")
    return text


def ratios(bench: Bench, built: dict[str, float], hugo_s: float | None) -> list[str]:
    def med(what: str, tool: str) -> float | None:
        for r in bench.rows:
            if r.what.startswith(what) and r.tool == tool and r.samples:
                return statistics.median(r.samples)
        return None

    found = []
    if built:
        same, cold = built["same"], built["cold"]
        found.append(f"- unchanged rebuild / cold build: {same / cold:.0%} (target ≤ 15 %)")
    if built and hugo_s:
        found.append(
            f"- unchanged rebuild / Hugo full build: {built['same'] / hugo_s:.1f}× (target ≤ 2×)"
        )
    for label in ("loopback", "30 ms RTT, 100 Mbit/s"):
        ours = med(f"add one episode, build + publish ({label})", "publisher publish")
        for tool in ("aws s3 sync", "rclone sync --checksum"):
            theirs = med(f"add one episode, publish the rebuilt site ({label})", tool)
            if ours and theirs:
                found.append(
                    f"- add one episode, {label}: {tool} / publisher = "
                    f"{theirs / ours:.2f}× (publisher faster when > 1)"
                )
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--episodes", type=int, default=1000)
    ap.add_argument("--big", type=int, default=10_000, help="feed and memory figures")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--audio-kb", type=int, default=1000, help="size of each episode's MP3")
    ap.add_argument(
        "--big-build", type=int, help="episodes of the memory build (default --big; 0: none)"
    )
    ap.add_argument("--publish-runs", type=int, default=7, help="runs of each publish")
    ap.add_argument("--aws-runs", type=int, default=3, help="runs of aws s3 sync (slow)")
    ap.add_argument(
        "--steps",
        default="builds,hugo,publishes,feed,big",
        help="which measurements to run, comma-separated (default: all)",
    )
    ap.add_argument("--without", default="", help="tools to leave out, e.g. aws (comma-separated)")
    ap.add_argument("--work", type=Path, help="work here (kept) instead of a temporary folder")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    WITHOUT.update(t for t in args.without.split(",") if t)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    if args.work:
        args.work.mkdir(parents=True, exist_ok=False)
        run_all(args, args.work, load)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
            run_all(args, Path(tmp), load)


def run_all(args: argparse.Namespace, work: Path, load: str) -> None:
    if not compileall.compile_dir(ROOT / "publisher", quiet=1):  # as an installed package is
        sys.exit(f"could not compile {ROOT / 'publisher'}")
    server = SeaweedS3(work / "seaweedfs")
    server.start()
    proxy = SlowProxy(server.ports["s3.port"])
    proxy.start()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        RCLONE_CONFIG=str(work / "none.conf"),
        AWS_ACCESS_KEY_ID=server.admin.access_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_SECRET_ACCESS_KEY=server.admin.secret_key,
        AWS_CONFIG_FILE=str(work / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "none"),
    )
    env.pop("AWS_PROFILE", None)
    # rclone's S3 client refuses a custom CA bundle with its own transport; every endpoint
    # here is plain http on loopback, so no child needs one.
    env.pop("AWS_CA_BUNDLE", None)
    for remote, endpoint in (("LOOP", server.endpoint), ("WAN", proxy.endpoint)):
        env.update(
            {
                f"RCLONE_CONFIG_{remote}_TYPE": "s3",
                f"RCLONE_CONFIG_{remote}_PROVIDER": "SeaweedFS",
                f"RCLONE_CONFIG_{remote}_ENDPOINT": endpoint,
                f"RCLONE_CONFIG_{remote}_ACCESS_KEY_ID": server.admin.access_key,
                f"RCLONE_CONFIG_{remote}_SECRET_ACCESS_KEY": server.admin.secret_key,
            }
        )
    bench = Bench(work, args.runs, env)
    try:
        admin = server.client()
        for tool in ("ours", "aws", "rclone"):
            for net in ("loop", "wan"):
                admin.create_bucket(Bucket=f"{tool}-{net}" if tool != "ours" else f"ours-{net}")
        n = args.episodes

        def target(bucket: str, endpoint: str, public: str) -> dict[str, str]:
            return {
                "location": f"s3://{bucket}/show",
                "public_url": f"{public}/{bucket}/show/",
                "endpoint_url": endpoint,
                "region": "us-east-1",
                "addressing_style": "path",
            }

        targets = {
            "loop": target("ours-loop", server.endpoint, server.endpoint),
            "wan": target("ours-wan", proxy.endpoint, proxy.endpoint),
            "wan-init": target("ours-wan", server.endpoint, proxy.endpoint),
        }
        t0 = time.perf_counter()
        CLIP.append(encode_clip(work, args.audio_kb))
        show = make_show(work / "show", n, CLIP[0], targets)
        bench.extra.append(
            f"Generating the {n}-episode show ({len(CLIP[0]) / 1e6:.2f} MB MP3s) "
            f"took {time.perf_counter() - t0:.0f} s."
        )
        header = (
            "Machine: "
            + machine(load)
            + f"\n\nRun on {dt.date.today().isoformat()}, "
            + f"N = {n}, {args.runs} runs ({args.publish_runs} of each publish, "
            + f"{min(args.aws_runs, args.publish_runs)} of aws s3 sync)."
        )
        built: dict[str, float] = {}
        hugo_s: float | None = None

        def save() -> str:  # after every step, so an interrupted run leaves what it measured
            return write_report(bench, args.out, header, ratios(bench, built, hugo_s))

        steps = set(args.steps.split(","))
        if "builds" in steps:
            step("builds")
            built = builds(bench, show, n)
        if "hugo" in steps:
            step("hugo")
            hugo_s = hugo(bench, show, n)
        save()
        if "publishes" in steps:
            step("publishes")
            publishes(bench, show, n, server, proxy, args.publish_runs, args.aws_runs)
        shutil.rmtree(work / "show")
        save()
        if "feed" in steps:
            step("feed generation")
            feed_generation(bench, args.big)
            save()
        big = args.big if args.big_build is None else args.big_build
        if big and "big" in steps:
            step("big build")
            big_build(bench, big, CLIP[0])
        else:
            bench.extra.append("The cold build of the big show (peak memory) was left out.")
        print(save())
    finally:
        proxy.stop()
        server.stop(graceful=False)


def step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
