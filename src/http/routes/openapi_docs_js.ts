/**
 * The script of `/docs`: reads `/openapi.json` and renders each operation with its
 * parameters and request body as a small form that sends the request and shows the
 * answer. Builds the DOM with `textContent` only, never `innerHTML`.
 *
 * @example
 * ```ts
 * import { DOCS_JS } from "./openapi_docs_js.ts";
 * console.assert(!DOCS_JS.includes("innerHTML"));
 * ```
 * @module
 */

/** The script's source. */
export const DOCS_JS = `"use strict";
(function () {
  var root = document.getElementById("operations");
  var meta = document.querySelector('meta[name="tq-base"]');
  var base = meta ? meta.content : "", server = base;
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function resolve(doc, schema) {
    if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split("/").pop()];
    return schema;
  }
  function operation(doc, path, method, op) {
    var box = el("details", "", "op");
    var summary = el("summary");
    summary.appendChild(el("span", method, "method"));
    summary.appendChild(el("code", path));
    summary.appendChild(document.createTextNode(" " + (op.summary || "")));
    box.appendChild(summary);
    var form = el("form");
    var inputs = {};
    (op.parameters || []).forEach(function (p) {
      var label = el("label", p.name + " (" + p.in + (p.required ? ", required" : "") + ") ");
      var input = el("input");
      input.name = p.name;
      label.appendChild(input);
      form.appendChild(label);
      form.appendChild(el("br"));
      inputs[p.name] = { param: p, input: input };
    });
    var body = null;
    var content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (content) {
      form.appendChild(el("div", "JSON body:"));
      body = el("textarea");
      var schema = resolve(doc, content.schema) || {};
      body.value = schema.properties && schema.properties.task ? '{"task": "noop", "input": {}}' : "{}";
      form.appendChild(body);
    }
    var send = el("button", "Send");
    form.appendChild(send);
    var out = el("pre", "", "json");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = server + path, query = new URLSearchParams();
      Object.keys(inputs).forEach(function (name) {
        var value = inputs[name].input.value;
        if (!value) return;
        if (inputs[name].param.in === "path") url = url.replace("{" + name + "}", encodeURIComponent(value));
        else if (inputs[name].param.in === "query") query.set(name, value);
      });
      var q = query.toString();
      var init = { method: method.toUpperCase(), headers: {}, credentials: "same-origin" };
      if (body) { init.headers["content-type"] = "application/json"; init.body = body.value; }
      fetch(url + (q ? "?" + q : ""), init).then(function (res) {
        return res.text().then(function (text) { out.textContent = res.status + " " + res.statusText + "\\n\\n" + text; });
      }).catch(function (error) { out.textContent = String(error); });
    });
    Object.keys(op.responses || {}).forEach(function (status) {
      box.appendChild(el("div", status + ": " + (op.responses[status].description || ""), "muted"));
    });
    box.appendChild(form);
    box.appendChild(out);
    return box;
  }
  fetch(base + "/openapi.json", { credentials: "same-origin" }).then(function (res) { return res.json(); }).then(function (doc) {
    server = doc.servers && doc.servers[0] ? doc.servers[0].url.replace(/\\/$/, "") : "";
    root.replaceChildren();
    Object.keys(doc.paths).sort().forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        root.appendChild(operation(doc, path, method, doc.paths[path][method]));
      });
    });
  }).catch(function (error) { root.textContent = "Cannot read /openapi.json: " + error; });
})();
`;
