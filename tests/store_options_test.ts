import { assertEquals, assertThrows } from "./assert.ts";
import { DEFAULT_DB, storeLocation, type StoreOptions } from "../src/store_options.ts";
import type { StoreLocation } from "../src/store/location.ts";

/** Each store selection variable, with a value and the location it alone chooses. */
const VARIABLES: [string, string, StoreLocation][] = [
  ["TQ_DB", "./env.db", { kind: "kv", path: "./env.db" }],
  ["TQ_REDIS_URL", "redis://env:6379", { kind: "redis", url: "redis://env:6379" }],
  ["TQ_REDIS_CLUSTER", "redis://env:7000", { kind: "redis-cluster", urls: ["redis://env:7000"] }],
  ["TQ_POSTGRES_URL", "postgres://env/db", { kind: "postgres", url: "postgres://env/db" }],
];

/** Each explicit store option, with the location it chooses. */
const EXPLICIT: [StoreOptions, StoreLocation][] = [
  [{ db: "./given.db" }, { kind: "kv", path: "./given.db" }],
  [{ redis: "redis://given:6379" }, { kind: "redis", url: "redis://given:6379" }],
  [{ redisCluster: ["redis://given:7000"] }, {
    kind: "redis-cluster",
    urls: ["redis://given:7000"],
  }],
  [{ postgres: "postgres://given/db" }, { kind: "postgres", url: "postgres://given/db" }],
];

/** The location without the settings left unset, for comparing. */
function plain(location: StoreLocation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(location).filter(([, value]) => value !== undefined));
}

const only = (name: string, value: string) => (asked: string) => asked === name ? value : undefined;

Deno.test("each store variable alone chooses its store", () => {
  for (const [name, value, expected] of VARIABLES) {
    assertEquals(plain(storeLocation({}, only(name, value))), expected, name);
  }
  assertEquals(storeLocation({}, () => undefined), { kind: "kv", path: DEFAULT_DB });
});

Deno.test("an explicit store option beats every store variable", () => {
  for (const [name, value] of VARIABLES) {
    for (const [options, expected] of EXPLICIT) {
      const chosen = storeLocation(options, only(name, value));
      assertEquals(plain(chosen), expected, `${Object.keys(options)[0]} over ${name}`);
    }
  }
});

Deno.test("an explicit setting beats its variable, and a missing one falls back on it", () => {
  const env = (name: string) =>
    ({ TQ_REDIS_URL: "redis://env:6379", TQ_REDIS_PREFIX: "envp", TQ_REDIS_CA_FILE: "env.pem" })[
      name
    ];
  assertEquals(storeLocation({ redisPrefix: "given" }, env), {
    kind: "redis",
    url: "redis://env:6379",
    prefix: "given",
    caFile: "env.pem",
  });
});

Deno.test("two stores given, or two set in the environment, are refused by name", () => {
  const given = assertThrows(
    () => storeLocation({ db: "./a.db", postgres: "postgres://x/db" }, () => undefined),
    TypeError,
  );
  assertEquals(given.message, "a KV file and a PostgreSQL URL are both given: choose one store");
  const env = (name: string) =>
    ({ TQ_REDIS_URL: "redis://env:6379", TQ_POSTGRES_URL: "postgres://env/db" })[name];
  const set = assertThrows(() => storeLocation({}, env), TypeError);
  assertEquals(set.message, "a Redis URL and a PostgreSQL URL are both set: choose one store");
});

Deno.test("TQ_DB names the KV file only when no other store is chosen", () => {
  const env = (name: string) => ({ TQ_DB: "./env.db", TQ_REDIS_URL: "redis://env:6379" })[name];
  assertEquals(storeLocation({}, env).kind, "redis");
});

Deno.test("a cluster's nodes may come as one comma-separated string", () => {
  const location = storeLocation({ redisCluster: " redis://a:1, redis://b:2 ," }, () => undefined);
  assertEquals(location.kind === "redis-cluster" && location.urls, ["redis://a:1", "redis://b:2"]);
});
