#!/usr/bin/env python3
"""The Flask example's worker: runs resize_image and send_welcome_email, the external
tasks of examples/flask/tasks.ts. Standard library only (tq_worker.py; copy it next to
your app, or put clients/python on the path as here).

    python3 examples/flask/worker.py            # TQ_URL defaults to http://127.0.0.1:8000

Stop it with SIGTERM or Ctrl-C: running jobs finish first, nothing new starts.
"""
import logging
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "clients", "python"))
from tq_worker import Unrecoverable, Worker  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

worker = Worker(os.environ.get("TQ_URL", "http://127.0.0.1:8000"), queues=["python"],
                concurrency=int(os.environ.get("CONCURRENCY", "4")))


@worker.task("resize_image")
def resize_image(input, job):
    """Stands in for real work (Pillow, say): reports progress and a log line."""
    job.log("resizing", url=input["url"], width=input["width"])
    for step in range(1, 5):
        if job.canceled.is_set():  # canceled from the dashboard or the API
            return None
        time.sleep(0.05)
        job.progress(step * 25)
    if input["url"].endswith(".txt"):
        raise Unrecoverable("not an image: " + input["url"])  # no retry can help
    return {"thumbnail": "%s?w=%d" % (input["url"], input["width"])}


@worker.task("send_welcome_email")
def send_welcome_email(input):
    logging.info("welcome email to %s", input["email"])
    return {"sent_to": input["email"]}


if __name__ == "__main__":
    worker.run()
