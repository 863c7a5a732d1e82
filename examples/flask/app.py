"""A Flask app that hands its slow work to tq and a Python worker.

    deno task tq serve --tasks examples/flask/tasks.ts    # the queue (a KV file: no Redis)
    python3 examples/flask/worker.py                       # runs the jobs
    flask --app examples/flask/app.py run --port 5000      # this app

    curl -X POST localhost:5000/thumbnails -H 'content-type: application/json' \\
      -d '{"url": "https://example.com/cat.png", "width": 320}'
    curl localhost:5000/jobs/<job_id>
"""
import os
import sys

from flask import Flask, jsonify, request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "clients", "python"))
from tq_worker import Client, TqError  # noqa: E402

app = Flask(__name__)
tq = Client(os.environ.get("TQ_URL", "http://127.0.0.1:8000"))


@app.post("/thumbnails")
def make_thumbnail():
    body = request.get_json(force=True)
    try:
        job_id = tq.enqueue("resize_image", {"url": body.get("url"), "width": body.get("width")})
    except TqError as error:  # tq validated the input against the task's schema
        return jsonify(error.body), error.status
    return jsonify({"job_id": job_id, "status_url": "/jobs/" + job_id}), 202


@app.post("/signup")
def signup():
    email = request.get_json(force=True).get("email")
    job_id = tq.enqueue("send_welcome_email", {"email": email})
    return jsonify({"welcome_email_job": job_id}), 201


@app.get("/jobs/<job_id>")
def job_status(job_id):
    job = tq.get_job(job_id)
    return jsonify({k: job[k] for k in ("id", "task", "status", "progress", "result", "error")})
