"""The real stack for fault drills: our own redis-server, PostgreSQL, separate rq workers.

Each drill starts its own redis-server (never the shared one) so it may stop it, and runs
rq workers as separate processes (`manage.py rqworker`) on the test database, with mail
written into a directory that the test counts.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _children(pid):
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _free_port():
    # Parallel test processes (pytest-xdist workers gw0, gw1, ...) look in ranges of their own.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    start = 6390 + worker * 30 + os.getpid() % 20
    for port in range(start, start + 300):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port for a drill redis-server")


class RedisServer:
    def __init__(self, directory):
        self.port = _free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        options = ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", *options],  # noqa: S607
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _attempt in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the drill redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class Stack:
    """Our redis-server, the mailbox directory and the workers of one drill."""

    def __init__(self, redis, mailbox, logs):
        self.redis = redis
        self.mailbox = mailbox
        self.logs = logs
        self.workers = []

    def _env(self, delay):
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        # Without PYTEST_XDIST_WORKER: the worker takes the drill's REDIS_URL as it is
        # (cms/settings/test.py would move it to the xdist worker's Redis database).
        return {
            **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
            "DJANGO_SETTINGS_MODULE": "tests.drills.worker_settings",
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}",
            "REDIS_URL": self.redis.url,
            "DRILL_MAILBOX": str(self.mailbox),
            "DRILL_MAIL_DELAY": str(delay),
        }

    def start_worker(self, burst=True, delay=0):
        log = open(self.logs / f"worker-{len(self.workers)}.log", "wb")
        burst_flag = ["--burst"] if burst else []
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "rqworker", "mail", "default", *burst_flag],
            cwd=ROOT,
            env=self._env(delay),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        return process

    def run_worker(self, timeout=240):
        """A worker in burst mode, to the end of the queues."""
        process = self.start_worker()
        assert process.wait(timeout=timeout) == 0, self.log_tail()
        return process

    def kill(self, process):
        """SIGKILL the worker and its work horse, as a crash would.

        The worker runs in the process group we started; rq puts each work horse in a group
        of its own, so the horse (a child of the worker) is found and killed first.
        """
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGKILL)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def wait_for(self, name, timeout=180):
        deadline = time.monotonic() + timeout
        while not (self.mailbox / name).exists():
            assert time.monotonic() < deadline, f"{name} never appeared\n{self.log_tail()}"
            time.sleep(0.1)

    def log_tail(self):
        return "\n".join(
            path.read_text(errors="replace")[-3000:] for path in sorted(self.logs.glob("*.log"))
        )

    def wipe_mailbox(self):
        for path in self.mailbox.glob("*.eml"):
            path.unlink()

    def stop_workers(self):
        for process in self.workers:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def stack(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the drills share the test database with separate worker processes: PostgreSQL")
    if shutil.which("redis-server") is None:
        pytest.skip("the drills start and stop their own redis-server")
    mailbox = tmp_path / "mailbox"
    logs = tmp_path / "logs"
    mailbox.mkdir()
    logs.mkdir()
    redis = RedisServer(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url
    settings.RQ_QUEUES = {
        name: {"URL": redis.url, "DEFAULT_TIMEOUT": 600} for name in ("default", "mail")
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    settings.OUTBOX_RETRY_INTERVALS = [0]
    # Mail the test process itself sends (the sweeper, with Redis down) lands in the same box.
    settings.EMAIL_BACKEND = "bench.mailbox.DirectoryBackend"
    settings.EMAIL_FILE_PATH = str(mailbox)
    drill = Stack(redis, mailbox, logs)
    yield drill
    drill.stop_workers()
    redis.stop()
