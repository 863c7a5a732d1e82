#!/usr/bin/env python3
"""Enqueue one tq job over HTTP and wait for it: Python standard library only.

    python3 examples/enqueue.py send_notification '{"email":"ada@example.com","message":"hi"}'

Options: --url (default $TQ_URL or http://127.0.0.1:8000), --timeout SECONDS (default 60).
The bearer token, when the server wants one, comes from $TQ_API_TOKEN.
Prints the finished job as JSON and exits 0; exits 1 if the job failed or was canceled,
if the server refused it (the error is printed), or on timeout.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

DONE = {"finished", "failed", "canceled"}


def call(method, url, body=None):
    """One JSON request; returns (status, parsed body)."""
    headers = {"accept": "application/json"}
    if body is not None:
        headers["content-type"] = "application/json"
    token = os.environ.get("TQ_API_TOKEN")
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main():
    parser = argparse.ArgumentParser(description="Enqueue a tq job and wait for it.")
    parser.add_argument("task")
    parser.add_argument("input", nargs="?", default="{}", help="the job's input, JSON")
    parser.add_argument("--url", default=os.environ.get("TQ_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    base = args.url.rstrip("/")

    status, body = call("POST", f"{base}/tasks/{args.task}", json.loads(args.input))
    if status != 202:
        print(f"enqueue refused ({status}): {json.dumps(body)}", file=sys.stderr)
        return 1
    print(f"enqueued {body['job_id']}", file=sys.stderr)

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        status, job = call("GET", base + body["status_url"])
        if status != 200:
            print(f"status refused ({status}): {json.dumps(job)}", file=sys.stderr)
            return 1
        if job["status"] in DONE:
            print(json.dumps(job, indent=2))
            return 0 if job["status"] == "finished" else 1
        time.sleep(0.2)
    print(f"job {body['job_id']} not done after {args.timeout} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
