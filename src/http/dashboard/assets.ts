/**
 * The dashboard's stylesheet and script, served by tq itself from `/assets/…` (no CDN, no
 * build step, nothing inline: the Content-Security-Policy allows only this origin's files).
 *
 * The script is progressive: every page works without it. With it, the page listens to
 * `/ui/events` (Server-Sent Events) and, when the store says something changed, fetches
 * the same URL again and swaps in its `#live` region, without a full reload, keeping the
 * job table's checked rows. A job's page names its job (`data-job`), so the stream also
 * reports changes of that record (progress). It also adds "select all on page" to the job
 * table and turns the selection's buttons off while nothing is selected.
 *
 * @example
 * ```ts
 * import { ASSETS } from "./assets.ts";
 * console.assert(ASSETS["tq.css"].type.startsWith("text/css"));
 * ```
 * @module
 */
import { DOCS_JS } from "../routes/openapi_docs_js.ts";

const CSS =
  `:root{--fg:#1d2330;--muted:#6b7385;--line:#dfe3ea;--bg:#f7f8fa;--ok:#2f9e44;--bad:#e03131;--run:#1971c2;--wait:#f08c00;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0}header{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.2rem;background:#1d2330;color:#fff}
header a{color:#cfd6e4;text-decoration:none;margin-right:1rem}header a[aria-current]{color:#fff;font-weight:600}
.brand{font-size:1.2rem}main{padding:1rem 1.2rem;max-width:1200px}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;background:#fff;width:100%;border:1px solid var(--line)}th,td{padding:.35rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.num{text-align:right}td a{color:inherit}.muted{color:var(--muted)}code{font-size:.92em}
pre{background:#fff;border:1px solid var(--line);padding:.6rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-word}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;background:#e9ecef;font-size:.85em}
.badge.state-finished{background:#d3f9d8;color:#2b8a3e}.badge.state-failed{background:#ffe3e3;color:#c92a2a}.badge.state-started{background:#d0ebff;color:#1864ab}
.badge.state-queued{background:#fff3bf;color:#8f5b00}.badge.state-scheduled{background:#f3f0ff;color:#5f3dc4}.badge.state-canceled{background:#e9ecef;color:#495057}
.badge.state-running{background:#d0ebff;color:#1864ab}.badge.state-deferred{background:#f1f3f5;color:#495057}
.badge.state-waiting,.badge.state-sleeping{background:#e3fafc;color:#0b7285}.node.state-waiting rect{fill:#e3fafc;stroke:#0b7285}
.flow svg{width:auto;max-width:100%;height:auto}.flow .edge{fill:none;stroke:#adb5bd;stroke-width:1.5}.flow marker path{fill:#adb5bd}
.node rect{fill:#fff;stroke:#adb5bd;stroke-width:1.5}.node text{font-size:13px;fill:var(--fg)}.node text.sub{font-size:11px;fill:var(--muted)}
.node.state-finished rect{fill:#d3f9d8;stroke:#2b8a3e}.node.state-failed rect{fill:#ffe3e3;stroke:#c92a2a}.node.state-started rect{fill:#d0ebff;stroke:#1864ab}
.node.state-queued rect{fill:#fff3bf;stroke:#e67700}.node.state-scheduled rect{fill:#f3f0ff;stroke:#5f3dc4}.node.state-canceled rect{fill:#e9ecef;stroke:#868e96}
.node.state-deferred rect{stroke-dasharray:4 3}progress{width:24rem;max-width:100%}
.badge.state-paused{background:#ffe8cc;color:#d9480f;margin-left:.4rem}td .actions{margin:0}.schedules td,button{white-space:nowrap}th .muted{font-weight:400;font-size:.9em}
td.state-failed a{color:var(--bad);font-weight:600}td.state-finished a{color:var(--ok)}
.filters{display:inline-flex;gap:.6rem;align-items:end;margin:0 1rem .8rem 0}.actions{display:flex;gap:.5rem;margin:.5rem 0}
button{font:inherit;padding:.25rem .8rem;border:1px solid #adb5bd;border-radius:4px;background:#fff;cursor:pointer}button.danger{border-color:var(--bad);color:var(--bad)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;border:1px solid var(--line);padding:.6rem}.facts dt{color:var(--muted)}.facts dd{margin:0}
.chart{margin:0;background:#fff;border:1px solid var(--line);padding:.6rem}.chart svg{width:100%;height:140px}
.bar-finished{fill:var(--ok)}.bar-failed{fill:var(--bad)}.key-finished{color:var(--ok)}.key-failed{color:var(--bad)}
.notice{background:#d3f9d8;padding:.4rem .8rem;border-radius:4px}.error-cell{color:var(--bad);max-width:28rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.attempt{background:#fff;border:1px solid var(--line);padding:.4rem .6rem;margin:.3rem 0}.pager{margin:.6rem 0;display:flex;gap:1rem}
.op{background:#fff;border:1px solid var(--line);margin:.4rem 0;padding:.4rem .6rem}.op summary{cursor:pointer}.method{font-weight:700;text-transform:uppercase;display:inline-block;width:4rem}
.op textarea{width:100%;min-height:6rem;font-family:monospace}.op input{font-family:monospace}
.badge.outcome-done{background:#d3f9d8;color:#2b8a3e}.badge.outcome-refused,.badge.outcome-failed{background:#ffe3e3;color:#c92a2a}button:disabled{opacity:.5;cursor:default}
`;

const JS = `"use strict";
(function () {
  // The job table's selection: "select all on page", buttons off while none is selected.
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"]')); }
  function checkedIds() { return boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
  function syncSelection() {
    var all = document.getElementById("select-all"), count = checkedIds().length;
    if (all) { all.hidden = false; all.checked = count > 0 && count === boxes().length; }
    var buttons = document.querySelectorAll("#bulk button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = count === 0;
  }
  document.addEventListener("change", function (e) {
    var target = e.target;
    if (target.id === "select-all") boxes().forEach(function (b) { b.checked = target.checked; });
    if (target.id === "select-all" || target.name === "ids") syncSelection();
  });
  syncSelection();

  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || !window.EventSource) return;
  var pending = false, again = false;
  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch(location.href, { headers: { "x-tq-live": "1" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("live");
        if (!fresh) return;
        var kept = checkedIds(); // a refresh keeps what the user selected
        live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
        boxes().forEach(function (b) { b.checked = kept.indexOf(b.value) >= 0; });
        syncSelection();
      })
      .catch(function () {})
      .then(function () {
        pending = false;
        if (again) { again = false; refresh(); }
      });
  }
  var job = live.getAttribute("data-job");
  var base = document.querySelector('meta[name="tq-base"]');
  var events = new EventSource((base ? base.content : "") + "/ui/events" + (job ? "?job=" + encodeURIComponent(job) : ""));
  events.addEventListener("change", refresh);
  events.onopen = function () { status.textContent = "live"; };
  events.onerror = function () { status.textContent = "reconnecting…"; };
})();
`;

/** Each asset's body and content type, by file name. */
export const ASSETS: Record<string, { body: string; type: string }> = {
  "tq.css": { body: CSS, type: "text/css; charset=utf-8" },
  "tq.js": { body: JS, type: "text/javascript; charset=utf-8" },
  "docs.js": { body: DOCS_JS, type: "text/javascript; charset=utf-8" },
  "favicon.svg": {
    body:
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d2330"/><path d="M4 5h8M8 5v7" stroke="#fff" stroke-width="2"/></svg>`,
    type: "image/svg+xml",
  },
};
