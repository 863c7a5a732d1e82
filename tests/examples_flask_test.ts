/**
 * The Flask example (`examples/flask/`) end to end: a real `tq serve` with its external
 * tasks, its Python worker, and its Flask app driven through Flask's test client. Skipped,
 * saying so, where Debian's python3-flask is not installed.
 */
import { assertEquals } from "./assert.ts";
import { tempDb, TqProcess } from "./integration/tq_process.ts";
import { PYTHON, PyWorker } from "./integration/python_worker.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const hasFlask = new Deno.Command(PYTHON, { args: ["-c", "import flask"], stderr: "null" })
  .outputSync().success;
if (!hasFlask) console.log("Flask example test skipped: no python3-flask on this machine");

/** Drives the app: a thumbnail job that finishes, one that fails for good, bad input. */
const CLIENT = `
import json, sys, time
sys.path.insert(0, "examples/flask")
from app import app
c = app.test_client()
def wait(job_id):
    for _ in range(200):
        job = c.get("/jobs/" + job_id).get_json()
        if job["status"] in ("finished", "failed", "canceled"):
            return job
        time.sleep(0.05)
ok = c.post("/thumbnails", json={"url": "https://example.com/cat.png", "width": 320})
bad = c.post("/thumbnails", json={"url": "https://example.com/notes.txt", "width": 320})
invalid = c.post("/thumbnails", json={"url": "nope", "width": 0})
print(json.dumps({
    "ok": wait(ok.get_json()["job_id"]),
    "bad": wait(bad.get_json()["job_id"]),
    "invalid": [invalid.status_code, invalid.get_json()["error"]["code"]],
}))
`;

Deno.test({
  name: "the Flask example enqueues through tq and its Python worker runs the jobs",
  ignore: !hasFlask,
  async fn() {
    const temp = await tempDb();
    const tq = TqProcess.start([
      "serve",
      "--port",
      "0",
      "--db",
      temp.db,
      "--tasks",
      "examples/flask/tasks.ts",
    ]);
    let worker: PyWorker | undefined;
    try {
      const url = await tq.url();
      worker = PyWorker.startScript("examples/flask/worker.py", [], { TQ_URL: url });
      const output = await new Deno.Command(PYTHON, {
        args: ["-c", CLIENT],
        cwd: ROOT,
        env: { TQ_URL: url },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(output.stdout);
      assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      const { ok, bad, invalid } = JSON.parse(text);
      if (!ok || !bad) throw new Error(`a job did not end; the worker logged:\n${worker.log}`);
      assertEquals([ok.status, ok.progress, ok.result], ["finished", 100, {
        thumbnail: "https://example.com/cat.png?w=320",
      }]);
      assertEquals([bad.status, bad.error.name], ["failed", "Unrecoverable"]);
      assertEquals(invalid, [422, "invalid_input"]);
    } finally {
      if (worker) assertEquals(await worker.stop(), 0, worker.log);
      await tq.stop();
      await temp.cleanup();
    }
  },
});
