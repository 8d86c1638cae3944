#!/usr/bin/python3
"""make bench, second part: cpjob against its peers, side by side in one run.

    /usr/bin/python3 tests/bench/run_bench.py --build build/host --out build/bench
        [--static-build build/x86_64-musl | --static-unavailable REASON]
        [--record tests/bench/RESULTS.md]

Against the CodePipeline emulator (tests/emulator) on 127.0.0.1 over TLS,
every SigV4 signature verified by botocore, it measures:

  cpjob        libcpjob's loop of poll + acknowledge + success cycles over one
               keep-alive connection (tests/bench/bench_cycle.c), and the
               one-shot `cpjob poll`, of the host build (--build: glibc,
               dynamically linked);
  cpjob static the same two programs of the x86_64-musl board (--static-build:
               musl, statically linked), the form that ships on devices;
               measured like the host build except for heap allocation calls
               (an LD_PRELOAD counter cannot enter a static binary: n/a);
  aws CLI      Debian's /usr/bin/aws: one-shot `aws codepipeline poll-for-jobs`;
  JS SDK v3    @aws-sdk/client-codepipeline from npm (tests/bench/peers/):
               one-shot (oneshot.js) and the same loop in process (loop.js).

Per client: CPU (user + system of the client's process only: getrusage of
the child for one-shots; measured inside the process around the timed cycles
for loops) and wall time, medians of repeated runs interleaved between the
clients; peak RSS (ru_maxrss of the child); heap allocation calls (the
LD_PRELOAD counter tests/bench/alloc_count.c; for loops, runs of N and 2N
cycles: the difference / N cancels setup); disk footprint. For cpjob (both
builds) also instructions per cycle and per one-shot (valgrind's callgrind;
N and 2N cycles likewise). The outputs of the earlier benches (bench_sigv4,
bench_parse), kept by bench.mk in OUT/<name>.txt, are quoted.

Writes OUT/results.md (Markdown table with date and machine), OUT/results.json
(every sample), OUT/results.png (gnuplot). These are measurements, not tests:
nothing here passes or fails on a figure. It exits non-zero only when a
client does not work (a failed request, a bad signature, a loop that needed
more than one connection).

Environment: BENCH_ONESHOTS (15), BENCH_CYCLES (200), BENCH_RUNS (3),
BENCH_WARMUP (20) change the repetitions.
"""
import argparse
import datetime
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import struct
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402

AWS = "/usr/bin/aws"
AKID = "AKIDBENCHWORKER00001"
SECRET = "benchSecretKey/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
PROVIDER = "EdgeDeploy"
CATEGORY = "Deploy"
ACTION_TYPE_ARG = "category=%s,owner=Custom,provider=%s,version=1" % (CATEGORY, PROVIDER)


def envint(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


ONESHOTS = envint("BENCH_ONESHOTS", 15)
CYCLES = envint("BENCH_CYCLES", 200)
RUNS = envint("BENCH_RUNS", 3)
WARMUP = envint("BENCH_WARMUP", 20)
ALLOC_N = 100           # cycles: allocation counts from N and 2N
CALLGRIND_N = 50        # cycles: instruction counts from N and 2N
ALLOC_ONESHOTS = 3
RSS_ONESHOTS = 3
TIME = "/usr/bin/time"
STATIC_BOARD = "x86_64-musl"
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
LABEL = {"cpjob": "cpjob", "cpjob_static": "cpjob static (%s)" % STATIC_BOARD,
         "aws": "aws CLI", "js": "JS SDK", "floor": "floor (BearSSL, pre-built)",
         "floor_static": "floor static (%s)" % STATIC_BOARD,
         "cpjob_sysca": "cpjob, system CA bundle",
         "cpjob_static_sysca": "cpjob static, system CA bundle"}
# --record keeps what follows this heading in the file (notes by hand).
KEEP_MARK = "## Notes kept across runs"
FLOOR_OF = {"cpjob": "floor", "cpjob_static": "floor_static"}


def log(msg):
    print("bench: " + msg, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------
# running a client
# ---------------------------------------------------------------------------
class Run:
    def __init__(self, cmd, rc, out, err, cpu, wall, maxrss_kb):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err
        self.cpu, self.wall, self.maxrss_kb = cpu, wall, maxrss_kb

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError:
            raise BenchError("%s: not JSON on stdout: %r\nstderr: %s" % (
                " ".join(self.cmd[:3]), self.out[:300], self.err[-2000:]))


def run(cmd, env, timeout=600):
    """Run cmd; its CPU (user+sys) and peak RSS from wait4's rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, close_fds=True)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        r = Run(cmd, p.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), ru.ru_utime + ru.ru_stime, wall,
                ru.ru_maxrss)
    if r.rc != 0:
        raise BenchError("%s exited %d\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), r.rc, r.out[-1000:], r.err[-3000:]))
    return r


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------------------
# the bench
# ---------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.out = os.path.abspath(args.out)
        self.cpjob = os.path.join(self.build, "cpjob")
        self.cycle = os.path.join(self.build, "bench", "bench_cycle")
        self.floor = os.path.join(self.build, "bench", "bench_floor")
        self.alloc_so = os.path.join(self.build, "bench", "alloc_count.so")
        # The static variant: STATIC_BOARD's agent and bench_cycle.
        self.static = None
        if args.static_build:
            sb = os.path.abspath(args.static_build)
            self.static = {"cpjob": os.path.join(sb, "cpjob"),
                           "cycle": os.path.join(sb, "bench", "bench_cycle"),
                           "floor": os.path.join(sb, "bench", "bench_floor")}
        self.peers = os.path.join(self.out, "peers")
        self.node = shutil.which("node")
        self.home = os.path.join(self.out, "home")
        self.emu = None
        self.res = {"config": {"oneshots": ONESHOTS, "cycles": CYCLES, "runs": RUNS,
                               "warmup": WARMUP, "alloc_n": ALLOC_N,
                               "callgrind_n": CALLGRIND_N}}
        self.res["static"] = {"board": STATIC_BOARD, "measured": False,
                              "note": args.static_unavailable or "no --static-build given"}

    def cpjobs(self):
        """The cpjob variants measured: the host build, then the static one."""
        return ["cpjob"] + (["cpjob_static"] if self.static else [])

    # -- preparation -------------------------------------------------------------
    def preflight(self):
        missing = [p for p in (self.cpjob, self.cycle, self.floor, self.alloc_so)
                   if not os.path.exists(p)]
        if missing:
            raise BenchError("not built: %s (run make bench)" % ", ".join(missing))
        if self.static:
            missing = [p for p in self.static.values() if not os.path.exists(p)]
            if missing:
                raise BenchError("not built: %s (make BOARD=%s; or leave out --static-build)"
                                 % (", ".join(missing), STATIC_BOARD))
            self.res["static"] = {"board": STATIC_BOARD, "measured": True,
                                  "build": os.path.relpath(os.path.abspath(
                                      self.args.static_build), TOP)}
        else:
            log("cpjob static (%s): not measured (%s)" % (STATIC_BOARD,
                                                          self.res["static"]["note"]))
        need = {"aws CLI (Debian awscli)": os.path.exists(AWS), "node": self.node,
                "npm": shutil.which("npm"), "valgrind": shutil.which("valgrind"),
                "gnuplot": shutil.which("gnuplot"), "GNU time": os.path.exists(TIME),
                "Debian's CA bundle (ca-certificates)": os.path.exists(SYSTEM_BUNDLE)}
        lack = [k for k, v in need.items() if not v]
        if lack:
            raise BenchError("missing: %s; install with: sh tests/deps.sh bench" % ", ".join(lack))
        os.makedirs(self.home, exist_ok=True)

    def install_peers(self):
        """npm ci of tests/bench/peers/ into OUT/peers (skipped when the
        installed lock file is the same)."""
        src = os.path.join(HERE, "peers")
        os.makedirs(self.peers, exist_ok=True)
        for f in sorted(os.listdir(src)):
            if f.endswith((".js", ".json")):
                shutil.copyfile(os.path.join(src, f), os.path.join(self.peers, f))
        stamp = os.path.join(self.peers, "node_modules", ".cpj-lock")
        lock = os.path.join(self.peers, "package-lock.json")
        if os.path.exists(stamp) and filecmp.cmp(stamp, lock, shallow=False):
            return
        log("npm ci (AWS SDK for JavaScript v3) into %s" % self.peers)
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=self.peers, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode != 0:
            raise BenchError("npm ci failed:\n" + r.stdout[-3000:])
        shutil.copyfile(lock, stamp)

    def machine(self):
        model = "unknown"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        debian = ""
        try:
            with open("/etc/debian_version") as f:
                debian = f.read().strip()
        except OSError:
            pass
        mem = ""
        try:
            with open("/proc/meminfo") as f:
                kb = int(f.readline().split()[1])
                mem = "%.1f GB RAM" % (kb / 1048576)
        except (OSError, ValueError, IndexError):
            pass
        now = datetime.datetime.now(datetime.timezone.utc)
        aws_v = subprocess.run([AWS, "--version"], capture_output=True, text=True,
                               env=self.env("aws")).stdout.strip()
        node_v = subprocess.run([self.node, "--version"], capture_output=True,
                                text=True).stdout.strip()
        with open(os.path.join(self.peers, "node_modules", "@aws-sdk", "client-codepipeline",
                               "package.json")) as f:
            sdk_v = json.load(f)["version"]
        self.res["machine"] = {
            "date": now.strftime("%Y-%m-%d"), "time": now.strftime("%Y-%m-%d %H:%M UTC"),
            "arch": platform.machine(), "cores": os.cpu_count(), "cpu": model,
            "kernel": platform.release(), "debian": debian, "memory": mem,
            "aws_cli": aws_v.split(" ")[0] if aws_v else "?",
            "aws_cli_full": aws_v, "node": node_v, "sdk": sdk_v,
            "botocore": dpkg_version("python3-botocore"),
            "load_start": loadavg(),
        }

    # -- emulator ----------------------------------------------------------------
    def start_emulator(self):
        # TLS 1.2 for every client: BearSSL (cpjob) has no TLS 1.3, and the
        # same protocol and suite keeps the comparison even.
        self.emu = Emulator(credentials=["%s:%s" % (AKID, SECRET)], region=REGION,
                            extra_args=["--tls-max", "1.2"], max_lifetime=3600)
        self.emu.start()
        orig = self.emu.admin
        try:      # the job spec queue_job() would send, to queue many at once
            self.emu.admin = lambda method, path, obj=None, **kw: obj
            self.job_spec = self.emu.queue_job(provider=PROVIDER, category=CATEGORY)
        finally:
            self.emu.admin = orig
        log("emulator at %s (TLS 1.2, signatures verified)" % self.emu.endpoint)
        # Debian's system bundle with the emulator's CA at its end (the
        # last of ~140 CAs: the whole file is loaded before it is found).
        self.sys_bundle = os.path.join(self.out, "system-bundle.pem")
        with open(self.sys_bundle, "w") as f:
            with open(SYSTEM_BUNDLE) as a, open(self.emu.ca_file) as b:
                f.write(a.read().rstrip("\n") + "\n" + b.read())

    def fresh(self, jobs):
        """Clear the emulator's jobs and log; queue `jobs` jobs."""
        self.emu.reset(keep_credentials=True)
        while jobs > 0:
            n = min(jobs, 500)
            self.emu.admin("POST", "jobs", [self.job_spec] * n)
            jobs -= n

    def check_log(self, what, one_connection=False):
        reqs = [e for e in self.emu.requests() if e.get("service") == "codepipeline"]
        bad = [e for e in reqs if e.get("sigOk") is not True or e.get("status") != 200]
        if bad:
            raise BenchError("%s: %d of %d requests failed, e.g. %s" % (
                what, len(bad), len(reqs), json.dumps(bad[0])[:600]))
        conns = len(set(e.get("conn") for e in reqs))
        if one_connection and conns != 1:
            raise BenchError("%s: %d connections (expected one keep-alive connection)"
                             % (what, conns))
        return len(reqs), conns

    # -- clients -------------------------------------------------------------------
    def env(self, kind, extra=None):
        e = {
            "PATH": "/usr/bin:/bin", "HOME": self.home, "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
        }
        if self.emu is not None and self.emu.ca_file:
            if kind == "node":
                e["NODE_EXTRA_CA_CERTS"] = self.emu.ca_file
            else:
                e["AWS_CA_BUNDLE"] = self.emu.ca_file
        if extra:
            e.update(extra)
        return e

    @staticmethod
    def kind(client):
        """The environment a client gets (env()): cpjob's builds alike."""
        return "node" if client == "js" else "cpjob" if client.startswith("cpjob") else client

    def client_env(self, client, extra=None):
        e = dict(extra or {})
        if client.endswith("_sysca"):
            e["AWS_CA_BUNDLE"] = self.sys_bundle
        return self.env(self.kind(client), e)

    def floor_requests(self, cycles):
        """Queue `cycles` jobs with known ids and nonces; write their
        PollForJobs, AcknowledgeJob and PutJobSuccessResult requests,
        signed now by botocore, as bench_floor reads them."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        host = "127.0.0.1:%d" % self.emu.port
        signer = SigV4Auth(Credentials(AKID, SECRET), "codepipeline", REGION)
        at = {"category": CATEGORY, "owner": "Custom", "provider": PROVIDER, "version": "1"}
        specs, out = [], []
        for i in range(cycles):
            jid, nonce = str(uuid.uuid4()), str(100000 + i)
            spec = json.loads(json.dumps(self.job_spec))
            spec["job"]["id"], spec["job"]["nonce"] = jid, nonce
            specs.append(spec)
            for op, body in (("PollForJobs", {"actionTypeId": at, "maxBatchSize": 1}),
                             ("AcknowledgeJob", {"jobId": jid, "nonce": nonce}),
                             ("PutJobSuccessResult", {"jobId": jid})):
                data = json.dumps(body, separators=(",", ":")).encode()
                r = AWSRequest(method="POST", url="https://%s/" % host, data=data, headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "CodePipeline_20150709." + op})
                signer.add_auth(r)
                head = "POST / HTTP/1.1\r\nHost: %s\r\n" % host + "".join(
                    "%s: %s\r\n" % (k, v) for k, v in r.headers.items()) + \
                    "Content-Length: %d\r\n\r\n" % len(data)
                raw = head.encode() + data
                out.append(struct.pack(">I", len(raw)) + raw)
        self.emu.reset(keep_credentials=True)
        for k in range(0, len(specs), 500):
            self.emu.admin("POST", "jobs", specs[k:k + 500])
        path = os.path.join(self.out, "floor-requests.bin")
        with open(path, "wb") as f:
            f.write(b"".join(out))
        return path

    def oneshot_cmd(self, client):
        ep = self.emu.endpoint
        if client.startswith("cpjob"):
            exe = self.static["cpjob"] if client.startswith("cpjob_static") else self.cpjob
            return [exe, "poll", "--action-type-id", ACTION_TYPE_ARG,
                    "--max-batch-size", "1", "--endpoint-url", ep, "--region", REGION]
        if client == "aws":
            return [AWS, "codepipeline", "poll-for-jobs", "--action-type-id", ACTION_TYPE_ARG,
                    "--max-batch-size", "1", "--endpoint-url", ep, "--region", REGION,
                    "--output", "json"]
        return [self.node, os.path.join(self.peers, "oneshot.js"), "--endpoint", ep,
                "--region", REGION, "--provider", PROVIDER, "--category", CATEGORY]

    def loop_cmd(self, client, cycles, warmup):
        ep = self.emu.endpoint
        if client in ("floor", "floor_static"):
            exe = self.floor if client == "floor" else self.static["floor"]
            return [exe, "--host", "127.0.0.1", "--port", str(self.emu.port), "--ca-bundle",
                    self.emu.ca_file, "--requests", self.floor_file, "--cycles", str(cycles),
                    "--warmup", str(warmup)]
        if client in ("cpjob", "cpjob_static"):
            exe = self.cycle if client == "cpjob" else self.static["cycle"]
            return [exe, "--endpoint", ep, "--ca-bundle", self.emu.ca_file,
                    "--region", REGION, "--provider", PROVIDER, "--category", CATEGORY,
                    "--cycles", str(cycles), "--warmup", str(warmup)]
        return [self.node, os.path.join(self.peers, "loop.js"), "--endpoint", ep,
                "--region", REGION, "--provider", PROVIDER, "--category", CATEGORY,
                "--cycles", str(cycles), "--warmup", str(warmup)]

    def oneshot(self, client, extra_env=None, prefix=()):
        r = run(list(prefix) + self.oneshot_cmd(client), self.client_env(client, extra_env))
        jobs = r.json().get("jobs")
        if not isinstance(jobs, list) or len(jobs) != 1:
            raise BenchError("%s one-shot poll: expected one job, got %r" % (client, r.out[:300]))
        return r

    def loop(self, client, cycles, warmup, extra_env=None, prefix=()):
        if client.startswith("floor"):
            self.floor_file = self.floor_requests(cycles + warmup)
        else:
            self.fresh(cycles + warmup)
        r = run(list(prefix) + self.loop_cmd(client, cycles, warmup),
                self.env(self.kind(client), extra_env))
        j = r.json()
        if j.get("connects") != 1 or j.get("cycles") != cycles or j.get("not_200", 0) != 0:
            raise BenchError("%s loop: %r" % (client, j))
        n, _ = self.check_log("%s loop" % client, one_connection=True)
        if n != 3 * (cycles + warmup):
            raise BenchError("%s loop: %d requests for %d cycles" % (client, n, cycles + warmup))
        return r, j

    # -- phases --------------------------------------------------------------------
    def phase_oneshots(self):
        clients = self.cpjobs() + [c + "_sysca" for c in self.cpjobs()] + ["aws", "js"]
        log("one-shot polls: %d per client (+1 warm-up), interleaved" % ONESHOTS)
        self.fresh(len(clients) * (ONESHOTS + 1))
        samples = {c: [] for c in clients}
        for rnd in range(ONESHOTS + 1):
            k = rnd % len(clients)
            order = clients[k:] + clients[:k]
            for c in order:
                r = self.oneshot(c)
                if rnd > 0:
                    samples[c].append({"cpu": r.cpu, "wall": r.wall})
        n, conns = self.check_log("one-shots")
        if n != len(clients) * (ONESHOTS + 1):
            raise BenchError("one-shots: %d requests logged, expected %d (a retry?)" % (
                n, len(clients) * (ONESHOTS + 1)))
        out = {}
        for c in clients:
            s = samples[c]
            out[c] = {"cpu": median([x["cpu"] for x in s]), "wall": median([x["wall"] for x in s]),
                      "samples": s}
            log("  %-26s one-shot: CPU %s, wall %s" % (
                LABEL[c], fmt_s(out[c]["cpu"]), fmt_s(out[c]["wall"])))
        self.res["oneshot"] = out

    def floors(self):
        return [FLOOR_OF[c] for c in self.cpjobs()]

    def phase_loops(self):
        # each cpjob build next to its floor, so that both see the same load
        clients = [x for c in self.cpjobs() for x in (c, FLOOR_OF[c])] + ["js"]
        log("loops: %d runs x %d cycles (+%d warm-up) per client, interleaved" % (
            RUNS, CYCLES, WARMUP))
        samples = {c: [] for c in clients}
        for rnd in range(RUNS):
            for c in (clients if rnd % 2 == 0 else clients[::-1]):
                r, j = self.loop(c, CYCLES, WARMUP)
                samples[c].append({"cpu": j["cpu_ns_per_cycle"] * 1e-9,
                                   "wall": j["wall_ns_per_cycle"] * 1e-9,
                                   "process_cpu": r.cpu, "out": j})
        out = {}
        for c in clients:
            s = samples[c]
            out[c] = {"cpu": median([x["cpu"] for x in s]), "wall": median([x["wall"] for x in s]),
                      "samples": s}
            log("  %-26s loop: CPU %s per cycle, wall %s per cycle" % (
                LABEL[c], fmt_s(out[c]["cpu"]), fmt_s(out[c]["wall"])))
        self.res["loop"] = out

    def phase_rss(self):
        """Peak RSS from GNU time's %M. Not from this process's wait4: a child
        that Python starts with vfork() inherits the driver's own RSS as its
        ru_maxrss floor (Linux records the old image's high-water mark at
        exec). Under time the floor is the process's own: /bin/true (dynamically
        linked) reads about 1 MB, a static musl program that returns at once
        about 450 KB, so the static build's figures below 1 MB are its own."""
        log("peak RSS (/usr/bin/time -f %%M): %d one-shots per client, one loop of %d cycles"
            % (RSS_ONESHOTS, CYCLES))
        f = os.path.join(self.out, "time.out")
        prefix = [TIME, "-f", "%M", "-o", f]

        def kb():
            with open(f) as fh:
                return int(fh.read().split()[-1])
        run(prefix + ["/bin/true"], self.env("cpjob"))
        floor_kb = kb()
        clients = self.cpjobs() + ["aws", "js"]
        self.fresh(len(clients) * RSS_ONESHOTS)
        for c in clients:
            vals = []
            for _ in range(RSS_ONESHOTS):
                self.oneshot(c, prefix=prefix)
                vals.append(kb())
            self.res["oneshot"][c]["rss_kb"] = median(vals)
            self.res["oneshot"][c]["rss_samples"] = vals
            log("  %-26s one-shot: %s" % (LABEL[c], fmt_kb(median(vals))))
        self.check_log("one-shots under time")
        for c in self.cpjobs() + ["js"]:
            self.loop(c, CYCLES, WARMUP, prefix=prefix)
            self.res["loop"][c]["rss_kb"] = kb()
            log("  %-26s loop: %s" % (LABEL[c], fmt_kb(kb())))
        os.unlink(f)
        self.res["rss_floor_kb"] = floor_kb

    def alloc_env(self, path):
        if os.path.exists(path):
            os.unlink(path)
        return {"LD_PRELOAD": self.alloc_so, "ALLOC_COUNT_OUT": path}

    @staticmethod
    def alloc_read(path):
        tot = {"malloc": 0, "calloc": 0, "realloc": 0, "aligned": 0, "total": 0}
        with open(path) as f:
            for line in f:
                d = json.loads(line)
                for k in tot:
                    tot[k] += d[k]
        return tot

    def phase_allocs(self):
        log("heap allocation calls (LD_PRELOAD counter): loops of %d and %d cycles, "
            "%d one-shots each" % (ALLOC_N, 2 * ALLOC_N, ALLOC_ONESHOTS))
        path = os.path.join(self.out, "alloc_count.out")
        out = {"loop": {}, "oneshot": {}}
        for c in ("cpjob", "js"):
            counts = []
            for n in (ALLOC_N, 2 * ALLOC_N):
                self.loop(c, n, WARMUP, extra_env=self.alloc_env(path))
                counts.append(self.alloc_read(path))
            per = (counts[1]["total"] - counts[0]["total"]) / ALLOC_N
            out["loop"][c] = {"per_cycle": per, "runs": counts}
            log("  %-26s loop: %.2f allocation calls per cycle (%d and %d in all)" % (
                LABEL[c], per, counts[0]["total"], counts[1]["total"]))
        self.fresh(3 * ALLOC_ONESHOTS)
        for c in ("cpjob", "aws", "js"):
            counts = []
            for _ in range(ALLOC_ONESHOTS):
                self.oneshot(c, extra_env=self.alloc_env(path))
                counts.append(self.alloc_read(path))
            out["oneshot"][c] = {"per_run": median([x["total"] for x in counts]), "runs": counts}
            log("  %-26s one-shot: %d allocation calls" % (LABEL[c], out["oneshot"][c]["per_run"]))
        self.check_log("one-shots under the allocation counter")
        os.unlink(path)
        if self.static:
            # LD_PRELOAD needs the dynamic loader, which a static binary has
            # not: no counts (n/a). The host build runs the same library code.
            why = "static binary: an LD_PRELOAD counter cannot enter it"
            out["loop"]["cpjob_static"] = {"per_cycle": None, "note": why}
            out["oneshot"]["cpjob_static"] = {"per_run": None, "note": why}
            log("  %-26s n/a (%s)" % (LABEL["cpjob_static"], why))
        self.res["allocs"] = out

    @staticmethod
    def callgrind_self(path):
        """Instructions per function (self cost), from callgrind_annotate."""
        r = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", path],
                           capture_output=True, text=True)
        out = {}
        for line in r.stdout.split("\n"):
            m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
            if m and ":" in m.group(2) and "=>" not in line:
                fn = m.group(2).split(" [")[0]
                fn = fn.split(":", 1)[1] if fn.startswith(("???:", "/", ".")) else fn
                out[fn] = out.get(fn, 0) + int(m.group(1).replace(",", ""))
        return out

    def profile(self, files, n):
        """Top functions by instructions per cycle: runs of n and 2n cycles."""
        a, b = (self.callgrind_self(f) for f in files)
        per = {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}
        return [[k, round(v)] for k, v in sorted(per.items(), key=lambda x: -x[1])[:15]]

    @staticmethod
    def callgrind_ir(path):
        with open(path) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        raise BenchError("no summary in " + path)

    def callgrind_loop(self, client, stem):
        """Loops of N and 2N cycles under callgrind: their totals, and the
        profile per cycle."""
        files = ["%s.%d.out" % (stem, n) for n in (CALLGRIND_N, 2 * CALLGRIND_N)]
        for n, f in zip((CALLGRIND_N, 2 * CALLGRIND_N), files):
            self.loop(client, n, WARMUP, prefix=["valgrind", "--tool=callgrind", "-q",
                                                 "--callgrind-out-file=" + f])
        return [self.callgrind_ir(f) for f in files], self.profile(files, CALLGRIND_N)

    def callgrind_oneshot(self, client, f):
        """Instructions of one one-shot poll of `client` (cpjob[_static][_sysca])."""
        self.fresh(1)
        run(["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=" + f]
            + self.oneshot_cmd(client), self.client_env(client))
        self.check_log("%s one-shot under callgrind" % LABEL[client])
        return self.callgrind_ir(f)

    def phase_callgrind(self):
        log("instructions (valgrind --tool=callgrind): loops of %d and %d cycles, one-shot poll"
            % (CALLGRIND_N, 2 * CALLGRIND_N))
        cg = os.path.join(self.out, "callgrind")
        os.makedirs(cg, exist_ok=True)
        for c in self.floors():
            tag = "" if c == "floor" else ".static"
            irs, prof = self.callgrind_loop(c, os.path.join(cg, "floor" + tag))
            key = "instructions_floor" if c == "floor" else "instructions_floor_static"
            self.res[key] = {"per_cycle": (irs[1] - irs[0]) / CALLGRIND_N, "loop_totals": irs,
                             "profile": prof}
            log("  %s: %s instructions per cycle" % (LABEL[c], fmt_int(self.res[key]["per_cycle"])))
        for c in self.cpjobs():
            tag = "" if c == "cpjob" else ".static"
            irs, prof = self.callgrind_loop(c, os.path.join(cg, "cycle" + tag))
            per = (irs[1] - irs[0]) / CALLGRIND_N
            one, sys_one = (self.callgrind_oneshot(c + k, os.path.join(
                cg, "oneshot%s%s.out" % (tag, k.replace("_", ".")))) for k in ("", "_sysca"))
            key = "instructions" if c == "cpjob" else "instructions_static"
            self.res[key] = {"per_cycle": per, "loop_totals": irs, "oneshot": one,
                             "oneshot_system_bundle": sys_one, "profile": prof}
            log("  %s: %s instructions per cycle, %s per one-shot poll, %s with the "
                "system CA bundle" % (LABEL[c], fmt_int(per), fmt_int(one), fmt_int(sys_one)))

    @staticmethod
    def agent_size(path):
        """The agent's size: bytes (stripped when strip is there), unstripped, stripped."""
        strip = shutil.which("strip")
        size = os.path.getsize(path)
        stripped = None
        if strip:
            with tempfile.TemporaryDirectory() as d:
                t = os.path.join(d, "cpjob")
                subprocess.run([strip, "-o", t, path], check=True)
                stripped = os.path.getsize(t)
        return {"bytes": stripped or size, "unstripped": size, "stripped": stripped}

    def phase_footprint(self):
        aws_kb = sum(dpkg_size(p) for p in ("awscli", "python3-botocore"))
        node_bin = os.path.getsize(os.path.realpath(self.node))
        nm = du_bytes(os.path.join(self.peers, "node_modules"))
        self.res["disk"] = {
            "cpjob": self.agent_size(self.cpjob),
            "aws": {"bytes": aws_kb * 1024, "what": "awscli + python3-botocore packages"},
            "js": {"bytes": node_bin + nm, "node": node_bin, "node_modules": nm},
        }
        if self.static:
            # Static: the C library and BearSSL are inside; nothing else to install.
            self.res["disk"]["cpjob_static"] = self.agent_size(self.static["cpjob"])

    def earlier(self):
        out = {}
        for name in ("bench_sigv4", "bench_parse"):
            p = os.path.join(self.out, name + ".txt")
            if os.path.exists(p):
                with open(p) as f:
                    out[name] = f.read()
        self.res["earlier"] = out

    # -- output --------------------------------------------------------------------
    def floor_ratios(self):
        """cpjob against the floor and the system bundle against one CA,
        same run: the host build's at the top level, the static's beside."""
        lp, o = self.res["loop"], self.res["oneshot"]
        for c, pre in (("cpjob", ""), ("cpjob_static", "static_")):
            if c not in lp:
                continue
            fl = FLOOR_OF[c]
            ins = self.res["instructions" if c == "cpjob" else "instructions_static"]
            ins_f = self.res["instructions_floor" if c == "cpjob"
                             else "instructions_floor_static"]
            self.res[pre + "cycle_cpu_vs_floor"] = lp[c]["cpu"] / lp[fl]["cpu"]
            self.res[pre + "cycle_instructions_vs_floor"] = \
                ins["per_cycle"] / ins_f["per_cycle"]
            self.res[pre + "oneshot_system_bundle_vs_single_ca"] = \
                o[c + "_sysca"]["cpu"] / o[c]["cpu"]
            self.res[pre + "oneshot_system_bundle_vs_single_ca_instructions"] = \
                ins["oneshot_system_bundle"] / ins["oneshot"]

    def write(self):
        res = self.res
        self.floor_ratios()
        md = render_md(res)             # also adds res["ratios"]
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(res, f, indent=1)
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(md)
        chart(res, self.out)
        log("wrote %s/results.md, results.json, results.png" % os.path.relpath(self.out, TOP))
        if self.args.record:
            tail = ""
            if os.path.exists(self.args.record):
                with open(self.args.record) as f:
                    old = f.read()
                k = old.find(KEEP_MARK)
                tail = "\n" + old[k:] if k >= 0 else ""
            with open(self.args.record, "w") as f:
                f.write(md.replace("# cpjob benchmarks\n", "# cpjob benchmarks\n\n"
                                   "Recorded by `make bench BENCH_RECORD=1`; `make bench` writes "
                                   "the same table to build/bench/results.md and the chart to "
                                   "build/bench/results.png.\n", 1) + tail)
            log("wrote %s" % self.args.record)
        print()
        print(md)

    def main(self):
        t0 = time.monotonic()
        self.preflight()
        self.install_peers()
        self.machine()
        self.start_emulator()
        try:
            self.phase_oneshots()
            self.phase_loops()
            self.phase_rss()
            self.phase_allocs()
            self.phase_callgrind()
        finally:
            self.emu.cleanup()
        self.phase_footprint()
        self.earlier()
        self.res["duration_s"] = round(time.monotonic() - t0, 1)
        self.res["machine"]["load_end"] = loadavg()
        self.write()


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def dpkg_size(pkg):
    r = subprocess.run(["dpkg-query", "-Wf", "${Installed-Size}", pkg], capture_output=True,
                       text=True)
    try:
        return int(r.stdout.strip())
    except ValueError:
        return 0


def dpkg_version(pkg):
    r = subprocess.run(["dpkg-query", "-Wf", "${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def du_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def fmt_s(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return "%.0f µs" % (s * 1e6) if s >= 1e-5 else "%.1f µs" % (s * 1e6)
    if s < 1:
        return "%.2f ms" % (s * 1e3) if s < 0.1 else "%.0f ms" % (s * 1e3)
    return "%.2f s" % s


def fmt_kb(kb):
    return "%.1f MB" % (kb / 1024) if kb >= 10240 else "%.2f MB" % (kb / 1024)


def fmt_bytes(b):
    if b >= 10 * 1024 * 1024:
        return "%.0f MB" % (b / 1048576)
    if b >= 1024 * 1024:
        return "%.1f MB" % (b / 1048576)
    return "%.0f KB" % (b / 1024)


def fmt_int(n):
    return "{:,}".format(int(round(n)))


def fmt_ratio(r):
    if r is None:
        return "n/a"
    return "%.0f×" % r if r >= 10 else "%.1f×" % r


def render_md(res):
    m = res["machine"]
    c = res["config"]
    o, lp, al, d = res["oneshot"], res["loop"], res["allocs"], res["disk"]
    ins = res["instructions"]
    L = []
    L.append("# cpjob benchmarks")
    L.append("")
    L.append("- Date: %s (`make bench`)" % m["time"])
    L.append("- Machine: %s, %d cores, %s%s, Linux %s, Debian %s" % (
        m["arch"], m["cores"], m["cpu"], ", " + m["memory"] if m["memory"] else "",
        m["kernel"], m["debian"]))
    L.append("- Peers: %s (Debian awscli, botocore %s); AWS SDK for JavaScript v3 "
             "(@aws-sdk/client-codepipeline %s) on Node.js %s" % (
                 m["aws_cli"], m["botocore"], m["sdk"], m["node"]))
    L.append("- Server: the emulator (tests/emulator) on 127.0.0.1, TLS 1.2 for every client, "
             "every SigV4 signature verified; its CPU time is not counted")
    L.append("- Load average %s at the start, %s at the end (%.0f s): CPU times move "
             "with other work on the machine, instruction counts do not" % (
                 m["load_start"], m.get("load_end"), res.get("duration_s", 0)))
    L.append("")
    L.append("| client | run | CPU | wall | peak RSS | heap allocation calls | disk |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    st = res.get("static", {})
    has_static = "cpjob_static" in o
    sb = st.get("board", "x86_64-musl")
    cp_disk = "%s stripped (%s)" % (fmt_bytes(d["cpjob"]["bytes"]),
                                     fmt_bytes(d["cpjob"]["unstripped"]))
    if has_static:
        st_disk = "%s stripped (%s) ⁶" % (fmt_bytes(d["cpjob_static"]["bytes"]),
                                          fmt_bytes(d["cpjob_static"]["unstripped"]))
    L.append("| cpjob (libcpjob loop) | per cycle | %s | %s | %s | %s per cycle | %s |" % (
        fmt_s(lp["cpjob"]["cpu"]), fmt_s(lp["cpjob"]["wall"]), fmt_kb(lp["cpjob"]["rss_kb"]),
        "%.2f" % al["loop"]["cpjob"]["per_cycle"], cp_disk))
    if has_static:
        L.append("| cpjob static (%s), libcpjob loop | per cycle | %s | %s | %s | n/a ⁵ | %s |"
                 % (sb, fmt_s(lp["cpjob_static"]["cpu"]), fmt_s(lp["cpjob_static"]["wall"]),
                    fmt_kb(lp["cpjob_static"]["rss_kb"]), st_disk))
    L.append("| floor: pre-built requests, BearSSL ⁷ | per cycle | %s | %s | | | |" % (
        fmt_s(lp["floor"]["cpu"]), fmt_s(lp["floor"]["wall"])))
    if has_static:
        L.append("| floor static (%s) ⁷ | per cycle | %s | %s | | | |" % (
            sb, fmt_s(lp["floor_static"]["cpu"]), fmt_s(lp["floor_static"]["wall"])))
    L.append("| AWS SDK for JavaScript v3 loop | per cycle | %s | %s | %s | %s per cycle ¹ | %s ³ |" % (
        fmt_s(lp["js"]["cpu"]), fmt_s(lp["js"]["wall"]), fmt_kb(lp["js"]["rss_kb"]),
        fmt_int(al["loop"]["js"]["per_cycle"]), fmt_bytes(d["js"]["bytes"])))
    L.append("| `cpjob poll` | one-shot | %s | %s | %s | %s | %s |" % (
        fmt_s(o["cpjob"]["cpu"]), fmt_s(o["cpjob"]["wall"]), fmt_kb(o["cpjob"]["rss_kb"]),
        fmt_int(al["oneshot"]["cpjob"]["per_run"]), cp_disk))
    if has_static:
        L.append("| `cpjob poll` static (%s) | one-shot | %s | %s | %s | n/a ⁵ | %s |" % (
            sb, fmt_s(o["cpjob_static"]["cpu"]), fmt_s(o["cpjob_static"]["wall"]),
            fmt_kb(o["cpjob_static"]["rss_kb"]), st_disk))
    L.append("| `aws codepipeline poll-for-jobs` | one-shot | %s | %s | %s | %s ² | %s ⁴ |" % (
        fmt_s(o["aws"]["cpu"]), fmt_s(o["aws"]["wall"]), fmt_kb(o["aws"]["rss_kb"]),
        fmt_int(al["oneshot"]["aws"]["per_run"]), fmt_bytes(d["aws"]["bytes"])))
    L.append("| AWS SDK for JavaScript v3 | one-shot | %s | %s | %s | %s ¹ | %s ³ |" % (
        fmt_s(o["js"]["cpu"]), fmt_s(o["js"]["wall"]), fmt_kb(o["js"]["rss_kb"]),
        fmt_int(al["oneshot"]["js"]["per_run"]), fmt_bytes(d["js"]["bytes"])))
    L.append("")
    ins_s = res.get("instructions_static")
    L.append("cpjob instructions (callgrind): %s per cycle, %s per one-shot poll%s." % (
        fmt_int(ins["per_cycle"]), fmt_int(ins["oneshot"]),
        "; static (%s): %s per cycle, %s per one-shot poll" % (
            sb, fmt_int(ins_s["per_cycle"]), fmt_int(ins_s["oneshot"])) if ins_s else ""))
    L.append("")
    prof = [(LABEL[c], res[k]["profile"]) for c, k in (("cpjob", "instructions"),
                                                         ("floor", "instructions_floor"))
            if "profile" in res.get(k, {})]
    if prof:
        L.append("Where the instructions of a cycle go (callgrind, host build: self cost per "
                 "function, runs of %d and %d cycles, difference / %d):" % (
                     c["callgrind_n"], 2 * c["callgrind_n"], c["callgrind_n"]))
        L.append("")
        L.append("```")
        for name, rows in prof:
            L.append("%s:" % name)
            for fn, v in rows:
                L.append("  %9s  %s" % (fmt_int(v), fn))
        L.append("```")
        L.append("")
    L.append("Against the floor, same run (cpjob / floor; goals from the performance work):")
    L.append("")
    L.append("| figure | cpjob | floor or one CA | ratio | goal |")
    L.append("|---|---:|---:|---:|---|")

    def floor_row(name, a, b, fmt, goal_x):
        r = a / b if b else None
        L.append("| %s | %s | %s | %s | ≤ %.1f×%s |" % (
            name, fmt(a), fmt(b), "%.2f×" % r if r is not None else "n/a", goal_x,
            " (met)" if r is not None and r <= goal_x else " (not met)"))
    for cl, tag in (("cpjob", ""), ("cpjob_static", "static: ")):
        if cl not in lp:
            continue
        fl = FLOOR_OF[cl]
        i_c = res["instructions" if cl == "cpjob" else "instructions_static"]
        i_f = res["instructions_floor" if cl == "cpjob" else "instructions_floor_static"]
        floor_row(tag + "CPU per cycle, vs floor", lp[cl]["cpu"], lp[fl]["cpu"], fmt_s, 1.3)
        floor_row(tag + "instructions per cycle (callgrind), vs floor", i_c["per_cycle"],
                  i_f["per_cycle"], fmt_int, 4.0)
        floor_row(tag + "CPU per one-shot, system CA bundle vs one CA",
                  o[cl + "_sysca"]["cpu"], o[cl]["cpu"], fmt_s, 1.5)
        L.append("| %sinstructions per one-shot (callgrind), system CA bundle vs one CA | %s | "
                 "%s | %.2f× | — |" % (tag, fmt_int(i_c["oneshot_system_bundle"]),
                                        fmt_int(i_c["oneshot"]),
                                        i_c["oneshot_system_bundle"] / i_c["oneshot"]))
    L.append("")
    if has_static:
        L.append("cpjob rows without \"static\": the host build (`make`: glibc, dynamically "
                 "linked, -O2 -g, Debian's libbearssl), the development board. Rows \"static "
                 "(%s)\": the same library, agent and bench_cycle.c built by "
                 "`make BOARD=%s` (musl, statically linked, -Os, BearSSL built from source, "
                 "--gc-sections), the form that ships on devices; measured the same way "
                 "in the same run." % (sb, sb))
    else:
        L.append("cpjob rows: the host build (`make`: glibc, dynamically linked). cpjob static "
                 "(%s), the form that ships on devices, is not measured in this run (%s)."
                 % (sb, st.get("note", "not built")))
    L.append("")
    L.append("A cycle is PollForJobs (one job with artifacts and artifact credentials, ~2 KB) + "
             "AcknowledgeJob + PutJobSuccessResult over one keep-alive connection; a one-shot is "
             "a process that polls once and prints the job. CPU is user + system time of the "
             "client's process: for one-shots getrusage of the child (whole process, start-up "
             "included), for loops measured in the process around the timed cycles. Medians of "
             "%d one-shots per client (after one warm-up, interleaved) and of %d loops of %d "
             "cycles (after %d warm-up cycles); wall time includes the emulator's. Peak RSS: "
             "GNU time's %%M (ru_maxrss; median of 3 one-shots, one loop; /bin/true, dynamically "
             "linked, gives %s). Heap allocation calls: "
             "malloc, calloc, realloc and aligned variants counted by an LD_PRELOAD counter "
             "(tests/bench/alloc_count.c), in every library of the process: per cycle from "
             "runs of %d and %d cycles, (2N - N) / N; per one-shot the whole process. cpjob's few "
             "calls are glibc's (getaddrinfo() in the POSIX port, once per connection, and "
             "stdout's buffer): libcpjob references no allocator (`make lint`)." % (
                 c["oneshots"], c["runs"], c["cycles"], c["warmup"],
                 fmt_kb(res["rss_floor_kb"]), c["alloc_n"], 2 * c["alloc_n"]))
    L.append("")
    L.append("¹ C-heap calls only; V8's garbage-collected heap is not counted (n/a). "
             "² C-heap calls only; Python's object allocator (pymalloc) serves most objects "
             "without them. ³ node binary %s + node_modules %s. ⁴ Installed size of the "
             "awscli and python3-botocore packages; Python itself and the CLI's other Python "
             "dependencies not counted.%s" % (
                 fmt_bytes(d["js"]["node"]), fmt_bytes(d["js"]["node_modules"]),
                 (" ⁵ An LD_PRELOAD counter cannot enter a statically linked process (n/a). "
                 "The library code is the same as the host build's, whose counts above are the "
                 "evidence (%.2f per cycle), and libcpjob references no allocator on any "
                 "board (`make lint`); the C library's own calls (getaddrinfo(), stdio) differ "
                 "between glibc and musl and are not counted for the static build. "
                 "⁶ musl and BearSSL included; the host build's agent also needs "
                 "glibc's shared libraries, not counted in its figure."
                 % al["loop"]["cpjob"]["per_cycle"] if has_static else "") +
                 " ⁷ The floor (tests/bench/bench_floor.c): the cycle's three requests "
                 "signed beforehand by botocore for jobs queued with known ids, written as "
                 "they are over one BearSSL connection (TLS 1.2, the library's suites) and "
                 "each response read to the end of its head and Content-Length bytes: no "
                 "signing, no parsing; run interleaved with the cpjob loop of the same build. "
                 "The system CA bundle: Debian's %s (ca-certificates) with the emulator's CA "
                 "appended, as AWS_CA_BUNDLE." % SYSTEM_BUNDLE))
    L.append("")
    if has_static:
        L.append("Ratios, from the same run (peer / cpjob). The goals apply to the static "
                 "(%s) rows, the form that ships on devices; the rows without \"static\" "
                 "compare the host build, as in earlier runs:" % sb)
    else:
        L.append("Ratios, from the same run (peer / cpjob):")
    L.append("")
    L.append("| figure | cpjob | peer | ratio | goal |")
    L.append("|---|---:|---:|---:|---|")

    def ratio_row(name, a, b, fmt, goal, goal_x):
        r = b / a if a else None
        met = "" if goal_x is None else (" (met)" if r is not None and r >= goal_x
                                          else " (not met)")
        L.append("| %s | %s | %s | %s | %s%s |" % (name, fmt(a), fmt(b), fmt_ratio(r), goal, met))
        return r

    res["ratios"] = {
        "cpu_cycle_js": ratio_row("CPU per cycle, vs JS SDK loop", lp["cpjob"]["cpu"],
                                  lp["js"]["cpu"], fmt_s, "≥ 50×", 50),
        "cpu_oneshot_aws": ratio_row("CPU per one-shot, vs aws CLI", o["cpjob"]["cpu"],
                                     o["aws"]["cpu"], fmt_s, "≥ 100×", 100),
        "cpu_oneshot_js": ratio_row("CPU per one-shot, vs JS SDK", o["cpjob"]["cpu"],
                                    o["js"]["cpu"], fmt_s, "—", None),
        "rss_loop_js": ratio_row("peak RSS, loop vs JS SDK loop", lp["cpjob"]["rss_kb"],
                                 lp["js"]["rss_kb"], fmt_kb, "≥ 50×", 50),
        "rss_oneshot_aws": ratio_row("peak RSS, one-shot vs aws CLI", o["cpjob"]["rss_kb"],
                                     o["aws"]["rss_kb"], fmt_kb, "≥ 50×", 50),
        "rss_oneshot_js": ratio_row("peak RSS, one-shot vs JS SDK", o["cpjob"]["rss_kb"],
                                    o["js"]["rss_kb"], fmt_kb, "≥ 50×", 50),
        "disk_aws": ratio_row("disk, vs aws CLI", d["cpjob"]["bytes"], d["aws"]["bytes"],
                              fmt_bytes, "—", None),
        "disk_js": ratio_row("disk, vs JS SDK", d["cpjob"]["bytes"], d["js"]["bytes"],
                             fmt_bytes, "—", None),
    }
    pc = al["loop"]["cpjob"]["per_cycle"]
    L.append("| heap allocation calls per cycle (whole process) | %.2f | %s | | 0 by the library%s |"
             % (pc, fmt_int(al["loop"]["js"]["per_cycle"]),
                " (met)" if abs(pc) < 0.005 else " (not met)"))
    if has_static:
        sl, so, sd = lp["cpjob_static"], o["cpjob_static"], d["cpjob_static"]
        res["ratios"].update({
            "static_cpu_cycle_js": ratio_row("static: CPU per cycle, vs JS SDK loop",
                                             sl["cpu"], lp["js"]["cpu"], fmt_s, "≥ 50×", 50),
            "static_cpu_oneshot_aws": ratio_row("static: CPU per one-shot, vs aws CLI",
                                                so["cpu"], o["aws"]["cpu"], fmt_s, "≥ 100×", 100),
            "static_cpu_oneshot_js": ratio_row("static: CPU per one-shot, vs JS SDK",
                                               so["cpu"], o["js"]["cpu"], fmt_s, "—", None),
            "static_rss_loop_js": ratio_row("static: peak RSS, loop vs JS SDK loop",
                                            sl["rss_kb"], lp["js"]["rss_kb"], fmt_kb, "≥ 50×", 50),
            "static_rss_oneshot_aws": ratio_row("static: peak RSS, one-shot vs aws CLI",
                                                so["rss_kb"], o["aws"]["rss_kb"], fmt_kb,
                                                "≥ 50×", 50),
            "static_rss_oneshot_js": ratio_row("static: peak RSS, one-shot vs JS SDK",
                                               so["rss_kb"], o["js"]["rss_kb"], fmt_kb,
                                               "≥ 50×", 50),
            "static_disk_aws": ratio_row("static: disk, vs aws CLI", sd["bytes"],
                                         d["aws"]["bytes"], fmt_bytes, "—", None),
            "static_disk_js": ratio_row("static: disk, vs JS SDK", sd["bytes"],
                                        d["js"]["bytes"], fmt_bytes, "—", None),
        })
    L.append("")
    e = res.get("earlier", {})
    if e:
        L.append("SigV4 signer and job parser (tests/bench/bench_sigv4.c, bench_parse.c, same run):")
        L.append("")
        L.append("```")
        for name in ("bench_sigv4", "bench_parse"):
            if name in e:
                L.extend(e[name].rstrip("\n").split("\n"))
        L.append("```")
        L.append("")
    return "\n".join(L)


def chart(res, out):
    o, lp = res["oneshot"], res["loop"]
    rows = [("cpjob loop\\ncycle", lp["cpjob"]["cpu"], lp["cpjob"]["rss_kb"], 1)]
    if "cpjob_static" in lp:
        rows.append(("cpjob static\\nloop cycle", lp["cpjob_static"]["cpu"],
                     lp["cpjob_static"]["rss_kb"], 4))
    rows += [("JS SDK loop\\ncycle", lp["js"]["cpu"], lp["js"]["rss_kb"], 3),
             ("cpjob poll\\none-shot", o["cpjob"]["cpu"], o["cpjob"]["rss_kb"], 1)]
    if "cpjob_static" in o:
        rows.append(("cpjob poll static\\none-shot", o["cpjob_static"]["cpu"],
                     o["cpjob_static"]["rss_kb"], 4))
    rows += [("aws CLI\\none-shot", o["aws"]["cpu"], o["aws"]["rss_kb"], 2),
             ("JS SDK\\none-shot", o["js"]["cpu"], o["js"]["rss_kb"], 3)]
    dat = os.path.join(out, "results.dat")
    with open(dat, "w") as f:
        f.write("# label cpu_ms rss_mb color\n")
        for label, cpu, rss, col in rows:
            f.write('"%s" %.6g %.6g %d\n' % (label, cpu * 1e3, rss / 1024.0, col))
    m = res["machine"]
    cpu_vals = [r[1] * 1e3 for r in rows]
    rss_vals = [r[2] / 1024.0 for r in rows]
    gp = os.path.join(out, "results.gp")
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size %(width)d,560 font "sans,10"
set output "%(png)s"
set termoption noenhanced
set bmargin 4
set multiplot layout 1,2 title "cpjob and its peers, TLS on loopback (%(title)s)"
set style fill solid 0.85 border -1
set boxwidth 0.65
set logscale y
set grid ytics mytics
set key off
set xtics scale 0
set xrange [-0.6:%(xmax)g]
set linetype 1 lc rgb "#2e8b57"
set linetype 4 lc rgb "#006400"
set linetype 2 lc rgb "#4169e1"
set linetype 3 lc rgb "#d2691e"
set title "CPU time of the client (ms, log scale; median)"
set yrange [%(cmin)g:%(cmax)g]
plot "%(dat)s" using 0:2:4:xtic(1) with boxes lc variable, \\
     "" using 0:2:(sprintf("%%.3g", $2)) with labels offset 0,0.8
set title "Peak RSS (MB, log scale)"
set yrange [%(rmin)g:%(rmax)g]
plot "%(dat)s" using 0:3:4:xtic(1) with boxes lc variable, \\
     "" using 0:3:(sprintf("%%.3g", $3)) with labels offset 0,0.8
unset multiplot
""" % {"png": os.path.join(out, "results.png"), "dat": dat,
            "width": 1280 if len(rows) <= 5 else 1600, "xmax": len(rows) - 0.4,
            "title": "%s, %s, %d cores" % (m["date"], m["arch"], m["cores"]),
            "cmin": min(cpu_vals) / 3, "cmax": max(cpu_vals) * 4,
            "rmin": min(rss_vals) / 3, "rmax": max(rss_vals) * 4})
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("gnuplot failed: " + r.stderr[-2000:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build", "host"),
                    help="the build directory of the host board (cpjob, bench/)")
    ap.add_argument("--out", default=os.path.join(TOP, "build", "bench"),
                    help="where results go")
    ap.add_argument("--static-build",
                    help="the build directory of the %s board (cpjob, bench/bench_cycle): "
                    "measured as cpjob static" % STATIC_BOARD)
    ap.add_argument("--static-unavailable", metavar="REASON",
                    help="no static build: say why in the results")
    ap.add_argument("--record", help="also write the Markdown table to this file")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    try:
        Bench(args).main()
    except BenchError as e:
        print("bench: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
