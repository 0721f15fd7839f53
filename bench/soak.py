#!/usr/bin/env python3
"""Soak: the real agentmetricsd under producers that keep attaching and detaching, scraped by a
real Prometheus every second, for a bounded time. Measures the daemon's memory, open file
descriptors and threads, the segment files of its namespace, drops and scrape health, and
checks them against the warmed-up baseline (docs/reliability.md).

  bench/soak.py --build build --duration 30              # the short version (ctest: soak_short)
  bench/soak.py --build build --duration 1800 --json soak.json   # the long one (tests/long.sh)

Checks, each relative to the daemon itself, never to wall-clock speed:
  * memory: the daemon's private resident memory (RssAnon) over the last 15% of the run is within
    --rss-tolerance (10%) plus 2 MiB of its mean just after the warm-up (the first 25%, at
    least 20 s);
  * file descriptors and threads: once the last producer is gone, the same as before the first
    (give or take the sockets of HTTP connections and one more reader of the store);
  * segments: none of the namespace's files left in the segment directory at the end;
  * drops: none (each producer writes less than a ring holds), and every event drained exactly;
  * Prometheus: every scrape succeeded (up == 1 throughout).
Exit status 0 when every check holds, 1 otherwise.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

THREADS = 2  # per test_producer


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def samples(body):
    out = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        try:
            out[key] = float(value)
        except ValueError:
            pass
    return out


def proc_status(pid):
    """The daemon's private resident memory (RssAnon: its heap and stacks) and its threads.
    VmRSS also counts the producers' segment pages it has touched (RssShmem), which come and go
    with the segments attached; RssAnon is what would grow with a leak."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_targets(pid):
    """What the daemon's descriptors point at, sockets and anonymous inodes by kind only."""
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            t = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        out.append(re.sub(r"^(socket|pipe|anon_inode):.*", r"\1", t))
    return sorted(out)


def segment_files(directory, ns):
    names = os.listdir(directory)
    return [n for n in names if n.startswith(f"agentmetrics.{ns}.") or n.startswith(f".agentmetrics-init.{ns}.")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (binaries are found in it unless given)")
    ap.add_argument("--collector")
    ap.add_argument("--test-producer")
    ap.add_argument("--outcome-producer")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--duration", type=float, default=30, help="seconds of churn (default 30)")
    ap.add_argument("--producers", type=int, default=6, help="producers alive at once (default 6)")
    ap.add_argument("--events", type=int, default=5000, help="rounds per producer thread (3 records each; default 5000)")
    ap.add_argument("--rss-tolerance", type=float, default=0.10)
    ap.add_argument("--no-memory-check", action="store_true",
                    help="report memory but do not judge it (sanitizer builds, whose allocators keep freed memory)")
    ap.add_argument("--segment-dir", default="/dev/shm")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()

    collector = args.collector or os.path.join(args.build, "collector", "agentmetricsd")
    test_producer = args.test_producer or os.path.join(args.build, "tests", "test_producer")
    outcome_producer = args.outcome_producer or os.path.join(args.build, "tests", "outcome_producer")
    rng = random.Random(args.seed)
    ns = f"soak-{os.getpid()}"
    work = tempfile.mkdtemp(prefix="am-soak-")
    env = dict(os.environ, AGENTMETRICS_NAMESPACE=ns, AGENTMETRICS_SHM_DIR=args.segment_dir)
    daemon_log = open(os.path.join(work, "agentmetricsd.log"), "w+")
    daemon = subprocess.Popen([collector, "--web.listen-address=127.0.0.1:0", f"--namespace={ns}",
                               f"--segment-dir={args.segment_dir}", f"--store={work}/events.db"],
                              stderr=daemon_log, stdout=daemon_log)
    prometheus = None
    producers = []
    series = []
    failures = []
    figures = {"duration_s": args.duration, "producers_at_once": args.producers, "events_per_thread": args.events}
    try:
        port = None
        deadline = time.time() + 15
        while port is None and time.time() < deadline:
            daemon_log.seek(0)
            m = re.search(r"collector started.*port=(\d+)", daemon_log.read())
            if m:
                port = int(m.group(1))
            elif daemon.poll() is not None:
                raise SystemExit("agentmetricsd exited at start")
            time.sleep(0.05)
        if port is None:
            raise SystemExit("agentmetricsd did not start")
        metrics_url = f"http://127.0.0.1:{port}/metrics"

        prom_port = free_port()
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                    f"  - job_name: agentmetrics\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
        prometheus = subprocess.Popen([args.prometheus, f"--config.file={work}/prometheus.yml",
                                       f"--storage.tsdb.path={work}/prometheus", f"--web.listen-address=127.0.0.1:{prom_port}",
                                       "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
        prom_url = f"http://127.0.0.1:{prom_port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                http_get(prom_url + "/-/ready")
                break
            except Exception:
                time.sleep(0.2)
        # Let Prometheus make its first scrapes (its keep-alive connection is then open).
        time.sleep(2.5)
        pid = daemon.pid
        # Once the store has been read, the KPI engine keeps its files open: prime it, so the
        # comparison below is between two idle states of the same kind.
        # /health reads the store too.
        subprocess.run([outcome_producer, "--events", "1", "--label", "prime"], env=env, capture_output=True, timeout=30)
        expected_drained = 3
        time.sleep(2.5)
        try:
            http_get(f"http://127.0.0.1:{port}/health")
        except Exception:
            pass
        time.sleep(1)
        idle_fds, idle_threads = open_fds(pid), proc_status(pid)[1]
        idle_targets = fd_targets(pid)

        start = time.time()
        series.clear()  # (t, rss, fds, threads, segment files, attached producers)
        producer_drops = 0
        spawned = {"test_producer": 0, "outcome_producer": 0}
        next_sample = start

        def reap(block=False):
            nonlocal producer_drops
            for p in list(producers):
                if block:
                    p.wait(timeout=60)
                if p.poll() is not None:
                    out = p.stdout.read().decode()
                    err = p.stderr.read().decode()
                    if p.returncode != 0:
                        failures.append(f"a producer exited {p.returncode}: {err.strip()}")
                    m = re.search(r"dropped=(\d+)", out + err)
                    if m:
                        producer_drops += int(m.group(1))
                    producers.remove(p)

        while time.time() - start < args.duration:
            reap()
            while len(producers) < args.producers:
                if rng.random() < 0.25:
                    events = rng.randint(10, 200)
                    cmd = [outcome_producer, "--threads", "1", "--events", str(events), "--label", f"soak{rng.randint(0, 3)}"]
                    expected_drained += 3 * events  # the frame and the task's two records
                    spawned["outcome_producer"] += 1
                else:
                    events = rng.randint(args.events // 2, args.events)
                    cmd = [test_producer, "--threads", str(THREADS), "--events", str(events), "--label", f"p{rng.randint(0, 7)}",
                           "--linger-ms", str(rng.randint(50, 1500))]
                    expected_drained += THREADS * (3 * events + 3)
                    spawned["test_producer"] += 1
                producers.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            now = time.time()
            if now >= next_sample:
                rss, threads = proc_status(pid)
                series.append((now - start, rss, open_fds(pid), threads, len(segment_files(args.segment_dir, ns)), len(producers)))
                next_sample += 1.0
            time.sleep(0.02)
        reap(block=True)
        # Every segment reclaimed, every event drained.
        s = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            s = samples(http_get(metrics_url))
            if s.get("agentmetrics_segments_attached") == 0 and s.get("agentmetrics_events_drained_total", 0) >= expected_drained \
                    and not segment_files(args.segment_dir, ns):
                break
            time.sleep(0.2)
        time.sleep(1.5)  # a last housekeeping round and scrape
        s = samples(http_get(metrics_url))
        # Keep-alive connections of our own scrapes close within the request timeout.
        deadline = time.time() + 15
        while time.time() < deadline and open_fds(pid) > idle_fds:
            time.sleep(0.5)
        end_fds, end_threads = open_fds(pid), proc_status(pid)[1]
        end_targets = fd_targets(pid)
        left = segment_files(args.segment_dir, ns)

        elapsed = time.time() - start
        window = max(10, int(elapsed) + 5)
        # Every query at the same evaluation time, a second back (a scrape's sample carries the
        # time the scrape began, and is in only once the scrape is done): a scrape landing between
        # two queries made the scrapes that were up one more than the scrapes counted.
        at = time.time() - 1
        def prom(q):
            r = json.loads(http_get(prom_url + "/api/v1/query?" + urllib.parse.urlencode({"query": q, "time": f"{at:.3f}"})))
            res = r["data"]["result"]
            return float(res[0]["value"][1]) if res else None
        scrapes = prom(f'count_over_time(up{{job="agentmetrics"}}[{window}s])')
        scrapes_up = prom(f'sum_over_time(up{{job="agentmetrics"}}[{window}s])')
        scrape_max = prom(f'max_over_time(scrape_duration_seconds{{job="agentmetrics"}}[{window}s])')
        samples_max = prom(f'max_over_time(scrape_samples_scraped{{job="agentmetrics"}}[{window}s])')

        # Warm-up: the first quarter, and at least 20 s (the allocator's arenas reach their size).
        warm_end = max(0.25 * args.duration, min(20.0, 0.5 * args.duration))
        warm = [x for x in series if warm_end <= x[0] < warm_end + max(0.15 * args.duration, 5)] or series[:3]
        last = [x for x in series if x[0] >= args.duration - max(0.15 * args.duration, 5)] or series[-3:]
        baseline_rss = statistics.mean(x[1] for x in warm)
        final_rss = statistics.mean(x[1] for x in last)
        after_warm = [x for x in series if x[0] >= warm_end]
        slope = 0.0
        if len(after_warm) >= 3:
            ts = [x[0] for x in after_warm]
            rs = [x[1] for x in after_warm]
            mt, mr = statistics.mean(ts), statistics.mean(rs)
            den = sum((t - mt) ** 2 for t in ts)
            slope = sum((t - mt) * (r - mr) for t, r in zip(ts, rs)) / den if den else 0.0
        figures.update({
            "producers_started": spawned,
            "segments_reclaimed": s.get("agentmetrics_segments_reclaimed_total"),
            "events_drained": s.get("agentmetrics_events_drained_total"),
            "events_expected": expected_drained,
            "events_dropped_collector": s.get("agentmetrics_events_dropped_total"),
            "events_dropped_producers": producer_drops,
            "rss_anon_baseline_mib": round(baseline_rss / 2**20, 2),
            "rss_anon_final_mib": round(final_rss / 2**20, 2),
            "rss_anon_max_mib": round(max(x[1] for x in series) / 2**20, 2),
            "rss_anon_slope_kib_per_min": round(slope * 60 / 1024, 1),
            "fds_idle_before": idle_fds, "fds_idle_after": end_fds, "fds_max": max(x[2] for x in series),
            "threads_idle_before": idle_threads, "threads_idle_after": end_threads,
            "segment_files_max": max(x[4] for x in series), "segment_files_left": len(left),
            "prometheus_scrapes": scrapes, "prometheus_scrapes_up": scrapes_up,
            "scrape_duration_max_s": scrape_max, "scrape_samples_max": samples_max,
            "records_invalid": sum(v for k, v in s.items() if k.startswith("agentmetrics_records_invalid_total")),
            "segments_rejected": sum(v for k, v in s.items() if k.startswith("agentmetrics_segments_rejected_total")),
        })
        if not args.no_memory_check and final_rss > baseline_rss * (1 + args.rss_tolerance) + 2 * 2**20:
            failures.append(f"memory grew: {baseline_rss / 2**20:.1f} MiB after warm-up, {final_rss / 2**20:.1f} MiB at the end")
        # Sockets come and go with Prometheus's keep-alive connection and our own scrapes, and the
        # reflection worker opens its own connection to the store once it has events to read (the
        # store's file and its write-ahead log); every other descriptor (segments, pipes,
        # eventfds) must be back where it was.
        gained = sorted((collections.Counter(end_targets) - collections.Counter(idle_targets)).elements())
        figures["fds_gained"] = gained
        store_files = [t for t in gained if t.startswith(os.path.join(work, "events.db"))]
        others = [t for t in gained if t != "socket" and t not in store_files]
        if others or gained.count("socket") > 2 or len(store_files) > 2:
            failures.append(f"file descriptors: {idle_fds} before the producers, {end_fds} after (gained {gained})")
        if end_threads != idle_threads:
            failures.append(f"threads: {idle_threads} before the producers, {end_threads} after")
        if left:
            failures.append(f"{len(left)} segment files left, e.g. {left[0]}")
        if s.get("agentmetrics_events_dropped_total", 0) != 0 or producer_drops != 0:
            failures.append(f"drops: collector {s.get('agentmetrics_events_dropped_total')}, producers {producer_drops}")
        if s.get("agentmetrics_events_drained_total") != expected_drained:
            failures.append(f"drained {s.get('agentmetrics_events_drained_total')} events, expected {expected_drained}")
        if figures["records_invalid"] or figures["segments_rejected"]:
            failures.append("invalid records or rejected segments")
        if not scrapes or scrapes_up != scrapes:
            failures.append(f"Prometheus scrapes: {scrapes_up} of {scrapes} up")
        if daemon.poll() is not None:
            failures.append("the daemon died")
        figures["failures"] = failures
    finally:
        for p in producers:
            p.kill()
        if prometheus:
            prometheus.terminate()
            prometheus.wait(timeout=30)
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
        for name in segment_files(args.segment_dir, ns):
            try:
                os.unlink(os.path.join(args.segment_dir, name))
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(figures, samples=[{"t": round(x[0], 1), "rss_anon": x[1], "fds": x[2], "threads": x[3],
                                              "segment_files": x[4], "producers": x[5]} for x in series]), f, indent=2)
    if failures:
        print("soak FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("soak passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
