"""tq_worker: run tq jobs in Python, and enqueue them, with the standard library only.

A worker for tq's HTTP worker protocol (Python 3.9+, no pip install). Define the task in
tq without a handler (an *external* task, in a queue of its own), then run it here::

    # tasks/mod.ts:  defineTask({ name: "resize_image", queue: "python", input: ... })
    from tq_worker import Worker, Unrecoverable

    worker = Worker("http://127.0.0.1:8000", queues=["python"], concurrency=8)

    @worker.task("resize_image")
    def resize_image(input, job):
        job.progress(10)
        job.log("resizing", width=input["width"])
        if input["width"] <= 0:
            raise Unrecoverable("width must be positive")  # fail for good, no retry
        return {"ok": True}  # the job's result (JSON)

    worker.run()  # until SIGTERM or SIGINT: then running jobs finish, nothing new starts

Jobs run in threads (``concurrency`` at once); a background thread renews their leases
(``POST /jobs/{id}/heartbeat``). An exception fails the attempt and tq retries it with
the task's backoff (``Unrecoverable`` fails it for good). When a heartbeat answers 409
(the job was canceled, or its lease was lost) ``job.canceled`` is set and the outcome of
the handler is dropped: tq has moved on. A worker that dies leaves its leases to expire;
tq then runs those jobs again, counting the attempt.

Producers use ``Client``::

    from tq_worker import Client
    tq = Client("http://127.0.0.1:8000")
    job_id = tq.enqueue("resize_image", {"width": 640})
    job = tq.wait(job_id, timeout=30)      # {"status": "finished", "result": ...}
"""

import http.client
import inspect
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
import urllib.parse

__all__ = ["Client", "Worker", "Job", "TqError", "LeaseLost", "Unrecoverable", "JobTimeout"]

log = logging.getLogger("tq_worker")

ENDED = ("finished", "failed", "canceled")

#: How soon a progress report reaches tq (seconds).
PROGRESS_INTERVAL = 0.25
#: How often the worker renews its entry on the workers page (seconds).
PRESENCE_INTERVAL = 5.0


class TqError(Exception):
    """An error answer of the tq API: ``status``, ``code`` and the error body."""

    def __init__(self, status, body):
        error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
        self.status = status
        self.code = error.get("code", "http_%d" % status)
        self.body = body
        super().__init__("%s (%d): %s" % (self.code, status, error.get("message", body)))


class LeaseLost(TqError):
    """409 lease_lost: the job is not this worker's any more (``state`` says what it is)."""

    @property
    def state(self):
        return self.body.get("error", {}).get("state")


class Unrecoverable(Exception):
    """Raise from a handler to fail the job for good: tq does not retry it."""


class JobTimeout(Exception):
    """``Client.wait`` gave up before the job ended."""


class Client:
    """The tq HTTP API: enqueue, read and wait for jobs; the worker protocol underneath.

    ``token`` (default: the ``TQ_API_TOKEN`` environment variable) is sent as
    ``Authorization: Bearer <token>`` when tq serve requires one.
    """

    def __init__(self, url="http://127.0.0.1:8000", token=None, timeout=30.0):
        self.url = url.rstrip("/")
        self.token = token or os.environ.get("TQ_API_TOKEN")
        self.timeout = timeout
        parts = urllib.parse.urlsplit(self.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base = parts.path.rstrip("/")
        self._local = threading.local()  # one kept-alive connection per thread

    def _connection(self, timeout):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = kind(self._host, self._port, timeout=timeout)
            self._local.conn = conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def request(self, method, path, body=None, timeout=None):
        """Sends one request; answers the decoded JSON (None for 204), raises TqError
        for an error answer and OSError when tq cannot be reached."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        if self.token:
            headers["authorization"] = "Bearer " + self.token
        for reused in (True, False):
            conn = self._connection(timeout or self.timeout)
            fresh = conn.sock is None
            try:
                conn.request(method, self._base + path, body=data, headers=headers)
                res = conn.getresponse()
                raw = res.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self._drop_connection()
                # A kept-alive connection the server closed meanwhile: try once anew.
                if fresh or not reused:
                    raise error if isinstance(error, OSError) else OSError(str(error))
        if res.status < 300:
            return json.loads(raw) if raw else None
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = {"error": {"message": raw.decode("utf-8", "replace")}}
        kind = LeaseLost if res.status == 409 and _code(decoded) == "lease_lost" else TqError
        raise kind(res.status, decoded)

    # -- producer -------------------------------------------------------------------------

    def enqueue(self, task, input=None, **options):
        """Enqueues a job of ``task``; answers its id. Options as for POST /jobs
        (``queue``, ``priority``, ``delay``, ``run_at``, ``max_attempts``, ...)."""
        body = dict(options, task=task, input=input)
        return self.request("POST", "/jobs", body)["job_id"]

    def enqueue_many(self, task, inputs, **options):
        """Enqueues one job of ``task`` per input in one request (POST /jobs/bulk, at most
        10,000); answers the ids of the jobs stored."""
        jobs = [dict(options, task=task, input=input) for input in inputs]
        return self.request("POST", "/jobs/bulk", {"jobs": jobs})["job_ids"]

    def get_job(self, job_id):
        """The job as GET /jobs/{id} shows it (``status``, ``result``, ``errors``, ...)."""
        return self.request("GET", "/jobs/" + urllib.parse.quote(job_id, safe=""))

    def wait(self, job_id, timeout=60.0, interval=0.1):
        """Polls until the job ends (finished, failed or canceled) and answers it;
        raises ``JobTimeout`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_job(job_id)
            if job["status"] in ENDED:
                return job
            if time.monotonic() >= deadline:
                raise JobTimeout("job %s still %s after %ss" % (job_id, job["status"], timeout))
            time.sleep(interval)
            interval = min(interval * 1.5, 1.0)


def _code(body):
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


class Job:
    """A claimed job, handed to handlers that take a second argument."""

    def __init__(self, worker, claimed):
        self._worker = worker
        self.id = claimed["id"]
        self.task = claimed["task"]
        self.input = claimed["input"]
        self.attempt = claimed["attempt"]
        self.max_attempts = claimed["max_attempts"]
        self.parents = claimed.get("parents") or {}
        self.lease_token = claimed["lease_token"]
        #: Set when tq took the job back (canceled, lease lost): stop working on it.
        self.canceled = threading.Event()
        self._progress = None
        self._lock = threading.Lock()
        self._last_beat = time.monotonic()

    def progress(self, value):
        """Reports progress (0-100 or a small dict); sent within a quarter second."""
        with self._lock:
            self._progress = value

    def log(self, message, **fields):
        """Appends a line to the job's log (shown on its dashboard page)."""
        line = {"message": str(message)}
        if fields:
            line["fields"] = fields
        self._worker._post_job(self, "log", {"lines": [line]})

    def _take_progress(self):
        with self._lock:
            value, self._progress = self._progress, None
            return value


class Worker:
    """Claims jobs of external tasks from tq and runs them in threads.

    ``queues``: queues of external tasks, in priority order. ``concurrency``: jobs run at
    once. ``lease_ms``: the lease per job, renewed every third of it while the job runs.
    ``wait_ms``: how long one claim waits for work (a long poll). ``shutdown_timeout``:
    seconds running jobs may take to finish after SIGTERM (then their leases lapse and tq
    runs them again).
    """

    def __init__(self, url="http://127.0.0.1:8000", queues=("default",), concurrency=4,
                 lease_ms=30000, wait_ms=5000, name=None, token=None, shutdown_timeout=25.0):
        self.client = Client(url, token=token)
        self.queues = list(queues)
        self.concurrency = int(concurrency)
        self.lease_ms = int(lease_ms)
        self.wait_ms = int(wait_ms)
        self.name = name or "py-%s-%d" % (socket.gethostname(), os.getpid())
        self.shutdown_timeout = shutdown_timeout
        self.handlers = {}
        self.started_at = int(time.time() * 1000)
        self._running = {}
        self._running_lock = threading.Lock()
        self._slots = threading.Semaphore(self.concurrency)
        self._stopping = threading.Event()

    def task(self, name):
        """Decorator: ``@worker.task("resize_image")`` runs that task's jobs with the
        function, as ``fn(input)`` or ``fn(input, job)``."""

        def register(fn):
            params = inspect.signature(fn).parameters
            self.handlers[name] = (fn, len(params) >= 2)
            return fn

        return register

    def stop(self):
        """Stops claiming; ``run`` returns once running jobs are over."""
        self._stopping.set()

    def run(self):
        """Claims and runs jobs until ``stop()``, SIGTERM or SIGINT; then lets running
        jobs finish (up to ``shutdown_timeout``) and leaves the workers page."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop())
        beats = threading.Thread(target=self._beat_loop, name="tq-heartbeat", daemon=True)
        beats.start()
        log.info("worker %s started: queues %s, concurrency %d", self.name, self.queues,
                 self.concurrency)
        pause = 0.5
        while not self._stopping.is_set():
            free = self._free_slots()
            if free == 0:
                continue
            try:
                jobs = self.client.request("POST", "/worker/claim", {
                    "queues": self.queues, "limit": free, "lease_ms": self.lease_ms,
                    "wait_ms": self.wait_ms, **self._presence(),
                }, timeout=self.wait_ms / 1000 + 30)["jobs"]
                pause = 0.5
            except (OSError, TqError) as error:  # tq restarting, network trouble
                if isinstance(error, TqError) and error.status < 500:
                    raise
                for _ in range(free):
                    self._slots.release()
                log.warning("claim failed (%s); retrying in %.1fs", error, pause)
                self._stopping.wait(pause)
                pause = min(pause * 2, 10.0)
                continue
            for _ in range(free - len(jobs)):
                self._slots.release()
            for claimed in jobs:
                self._start(Job(self, claimed))
        self._drain()

    # -- internals --------------------------------------------------------------------------

    def _free_slots(self):
        """Blocks until a slot is free (or stopping); takes every free slot."""
        if not self._slots.acquire(timeout=0.5):
            return 0
        taken = 1
        while taken < self.concurrency and self._slots.acquire(blocking=False):
            taken += 1
        return taken

    def _presence(self):
        with self._running_lock:
            running = list(self._running)
        return {"worker": self.name, "host": socket.gethostname(), "pid": os.getpid(),
                "concurrency": self.concurrency, "running": running,
                "started_at": self.started_at}

    def _start(self, job):
        with self._running_lock:
            self._running[job.id] = job
        thread = threading.Thread(target=self._execute, args=(job,), name="tq-job-" + job.id,
                                  daemon=True)
        thread.start()

    def _execute(self, job):
        try:
            entry = self.handlers.get(job.task)
            try:
                if entry is None:
                    raise Unrecoverable("no handler for task %r in worker %s"
                                        % (job.task, self.name))
                fn, takes_job = entry
                result = fn(job.input, job) if takes_job else fn(job.input)
            except Unrecoverable as error:
                self._fail(job, error, retry=False)
            except Exception as error:  # noqa: BLE001 - any handler failure fails the attempt
                self._fail(job, error, retry=True)
            else:
                body = {"result": result}
                progress = job._take_progress()
                if progress is not None:
                    body["progress"] = progress
                self._post_job(job, "complete", body)
        except LeaseLost as lost:
            log.warning("job %s: outcome dropped, lease lost (job is %s)", job.id, lost.state)
        except Exception:  # noqa: BLE001 - a thread must not die silently
            log.exception("job %s: could not report its outcome; its lease will lapse", job.id)
        finally:
            with self._running_lock:
                self._running.pop(job.id, None)
            self._slots.release()

    def _fail(self, job, error, retry):
        self._post_job(job, "fail", {
            "error": {"message": str(error) or type(error).__name__,
                      "type": type(error).__name__,
                      "stack": "".join(traceback.format_exception(
                          type(error), error, error.__traceback__))[-20000:]},
            "retry": retry,
        })

    def _post_job(self, job, action, body, attempts=5):
        """POSTs to /jobs/{id}/{action} with the lease token, retrying network errors."""
        if job.canceled.is_set() and action != "heartbeat":
            raise LeaseLost(409, {"error": {"code": "lease_lost", "state": "canceled"}})
        path = "/jobs/%s/%s" % (urllib.parse.quote(job.id, safe=""), action)
        body = dict(body, lease_token=job.lease_token)
        for attempt in range(attempts):
            try:
                return self.client.request("POST", path, body)
            except LeaseLost:
                job.canceled.set()
                raise
            except (OSError, TqError) as error:
                if isinstance(error, TqError) and error.status < 500:
                    raise
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * 2 ** attempt)

    def _beat_loop(self):
        """Renews each running job's lease every third of it, sends progress within a
        quarter second of a report, and renews the workers-page entry every 5 s."""
        interval = min(self.lease_ms / 3000.0, 5.0)
        last_presence = 0.0
        while True:
            time.sleep(PROGRESS_INTERVAL)
            now = time.monotonic()
            with self._running_lock:
                jobs = list(self._running.values())
            for job in jobs:
                progress = job._take_progress()
                if progress is None and now - job._last_beat < interval:
                    continue
                job._last_beat = now
                body = {} if progress is None else {"progress": progress}
                try:
                    self._post_job(job, "heartbeat", body, attempts=1)
                except LeaseLost as lost:
                    log.warning("job %s: %s; stop working on it", job.id, lost)
                except Exception as error:  # noqa: BLE001 - try again next beat
                    log.warning("job %s: heartbeat failed (%s)", job.id, error)
            if now - last_presence >= PRESENCE_INTERVAL:
                last_presence = now
                try:
                    self.client.request("POST", "/worker/beat",
                                        dict(self._presence(), queues=self.queues))
                except Exception as error:  # noqa: BLE001
                    log.warning("worker beat failed (%s)", error)

    def _drain(self):
        log.info("worker %s stopping: waiting for %d running job(s)", self.name,
                 len(self._running))
        deadline = time.monotonic() + self.shutdown_timeout
        while self._running and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            self.client.request("POST", "/worker/stop", {"worker": self.name})
        except Exception as error:  # noqa: BLE001
            log.warning("could not leave the workers page (%s)", error)
        log.info("worker %s stopped", self.name)
