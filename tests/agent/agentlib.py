"""Helpers of the `cpjob run` tests (tests/scripts/test_agent_*.py).

Each test starts the emulator (tests/emulator/client.py), queues jobs with
real zip input artifacts, and runs the agent as a child process that is
always killed at the end (with every handler it started: they run in
process groups of their own).
"""
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

TOP = os.environ.get("CPJ_TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests", "emulator"))
from client import Emulator  # noqa: E402,F401

BUILD = os.environ.get("CPJ_BUILD", os.path.join(TOP, "build", "host"))
BUILD_SAN = os.environ.get("CPJ_BUILD_SAN", os.path.join(TOP, "build", "host-san"))
AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BUCKET = "codepipeline-us-east-1-123456789012"
HANDLER = os.path.join(TOP, "tests", "agent", "test-handler.sh")
EXAMPLE = os.path.join(TOP, "src", "agent", "handler-example.sh")
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

results = []
children = []
# Everything a test makes (agent directories, handler dumps) lives here;
# cleanup() kills the processes whose environment names it.
ROOT = tempfile.mkdtemp(prefix="cpj-agent-")
# the handler runs from a copy: a checkout without the executable bit works
shutil.copy(HANDLER, os.path.join(ROOT, "test-handler.sh"))
HANDLER = os.path.join(ROOT, "test-handler.sh")
os.chmod(HANDLER, 0o755)


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s %s%s" % ("PASS" if cond else "FAIL", name,
                       "" if cond else ": " + str(detail)[:1500]))
    sys.stdout.flush()


def exit_status():
    return 0 if results and all(results) else 1


def free_port():
    """A loopback TCP port nothing listens on (at the time of asking)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpjob_path(san=False):
    return os.path.join(BUILD_SAN if san else BUILD, "cpjob")


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def environ(emu, **extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
             AWS_CA_BUNDLE=emu.ca_file, AWS_CONFIG_FILE="/dev/null",
             AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
             AWS_ENDPOINT_URL=emu.endpoint, ASAN_OPTIONS="detect_leaks=1")
    e.pop("JOURNAL_STREAM", None)
    e.update(extra)
    return e


def queue(emu, provider, config=None, inputs=1, outputs=1, zip_files=None, kms=KMS, **extra):
    """Queue a job of action type Deploy/Custom/<provider>/1 whose input
    artifacts are real zips in the emulator; returns (job, {name: zip bytes})."""
    job = emu.queue_job(provider=provider, configuration=config or {}, encryption_key=kms,
                        input_artifacts=[art("In%d" % i, "k%d" % i, provider)
                                         for i in range(inputs)],
                        output_artifacts=[art("Out%d" % i, "o%d" % i, provider)
                                          for i in range(outputs)], **extra)
    blobs = {}
    for i, a in enumerate(job["data"]["inputArtifacts"]):
        data = make_zip(zip_files or {"app/version.txt": "1.%d.0\n" % i,
                                      "app/bin": os.urandom(3000)})
        loc = a["location"]["s3Location"]
        emu.put_object(loc["bucketName"], loc["objectKey"], data)
        blobs[a["name"]] = data
    return job, blobs


def art(name, key, provider):
    return {"name": name, "revision": "rev-" + name,
            "location": {"type": "S3", "s3Location": {
                "bucketName": BUCKET, "objectKey": "p-%s/%s/%s" % (provider, name, key)}}}


def at(provider):
    return "category=Deploy,owner=Custom,provider=%s,version=1" % provider


class Agent:
    """One `cpjob run` child with its own work directory and state file."""

    def __init__(self, emu, provider, handler=HANDLER, args=(), san=False, workdir=None,
                 env=None):
        self.emu = emu
        self.dir = workdir or tempfile.mkdtemp(prefix="agent-", dir=ROOT)
        self.work = os.path.join(self.dir, "work")
        self.state = os.path.join(self.dir, "state")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.cmd = [cpjob_path(san), "run", "--action-type-id", at(provider), "--exec", handler,
                    "--work-dir", self.work, "--state-file", self.state,
                    "--poll-interval", "1"] + list(args)
        self.env = env or environ(emu)
        self.proc = None
        self.log_f = None

    def start(self, *more):
        self.log_f = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd + list(more), env=self.env, stdout=self.log_f,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        children.append(self.proc)
        return self

    def wait(self, timeout=60):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = None
        self.log_f.close()
        return rc

    def run(self, *more, timeout=60):
        """Start, wait; (exit status or None on timeout, log text, seconds)."""
        t0 = time.monotonic()
        self.start(*more)
        rc = self.wait(timeout)
        return rc, self.log(), time.monotonic() - t0

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def state_text(self):
        try:
            with open(self.state) as f:
                return f.read()
        except OSError:
            return ""

    def wait_state(self, phase, timeout=30):
        """Wait until the state file says `phase`; True if it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "\nphase=%s\n" % phase in self.state_text():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False


def wait_for(cond, timeout=20, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def kill_pid_file(path):
    """Kill a process whose pid a handler wrote (clean-up)."""
    try:
        with open(path) as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass


def cleanup():
    """Kill the agents and whatever their handlers left; remove ROOT."""
    for p in children:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
    kill_handlers(ROOT)
    shutil.rmtree(ROOT, ignore_errors=True)


def kill_handlers(marker):
    """Kill every process whose environment names `marker` (a test's
    temporary directory): what handlers left behind."""
    needle = marker.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                if needle in f.read():
                    os.kill(int(d), signal.SIGKILL)
        except OSError:
            pass


def group_members(pgid):
    """Pids of live processes in process group `pgid`."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(d))
    return out
