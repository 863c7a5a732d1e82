/**
 * A tiny OTLP/HTTP receiver for tests: takes `POST /v1/traces` in the JSON encoding
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps every span with the `service.name`
 * of the process that sent it. Metrics and logs are accepted and dropped.
 *
 * @example
 * ```ts ignore
 * const receiver = startOtlpReceiver();
 * const env = { OTEL_DENO: "true", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint };
 * // ... run processes with env ...
 * const spans = receiver.spans.filter((s) => s.service === "tq-worker");
 * await receiver.close();
 * ```
 * @module
 */

/** An OTLP attribute value, as the JSON encoding writes it. */
type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
};

/** One received span, flattened. */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  attributes: Record<string, string | number | boolean | undefined>;
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: AnyValue }[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, "service" | "attributes" | "status"> & {
        status?: { code?: number; message?: string };
        attributes?: { key: string; value: AnyValue }[];
      })[];
    }[];
  }[];
}

function attributes(list: { key: string; value: AnyValue }[] = []) {
  return Object.fromEntries(list.map(({ key, value }) => [
    key,
    value.stringValue ?? value.doubleValue ??
      (value.intValue !== undefined ? Number(value.intValue) : value.boolValue),
  ]));
}

/** A running receiver: its endpoint, what it got so far, and how to stop it. */
export interface OtlpReceiver {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    if (new URL(req.url).pathname === "/v1/traces") {
      const request: ExportRequest = JSON.parse(body);
      for (const { resource, scopeSpans = [] } of request.resourceSpans ?? []) {
        const service = String(attributes(resource?.attributes)["service.name"]);
        for (const span of scopeSpans.flatMap((scope) => scope.spans ?? [])) {
          spans.push({
            service,
            name: span.name,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? "",
            kind: span.kind,
            status: { code: span.status?.code ?? 0, message: span.status?.message },
            attributes: attributes(span.attributes),
          });
        }
      }
    }
    return Response.json({});
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    spans,
    close: () => server.shutdown(),
  };
}
