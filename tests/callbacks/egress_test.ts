/**
 * The callback egress policy (`src/callbacks/egress.ts`) as pure code: which addresses are
 * internal in every spelling, what an allow list lets through, and what delivery makes of
 * DNS answers (a stubbed resolver: no test resolves or connects to anything).
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { addressRefusal, CallbackEgress, parseAddress } from "../../src/callbacks/egress.ts";

Deno.test("parseAddress reads IPv4, IPv6 with :: and embedded IPv4, and nothing else", () => {
  assertEquals(parseAddress("1.2.3.4"), { v6: false, value: 0x01020304n });
  assertEquals(parseAddress("[::1]"), { v6: true, value: 1n });
  assertEquals(parseAddress("::ffff:1.2.3.4")?.value, 0xffff01020304n);
  assertEquals(parseAddress("2001:db8::1")?.value, (0x20010db8n << 96n) | 1n);
  assertEquals(parseAddress("fe80::1%eth0")?.value, (0xfe80n << 112n) | 1n);
  for (const text of ["1.2.3", "1.2.3.256", "::1::", "1:2:3:4:5:6:7:8:9", "example.com", "", ":"]) {
    assertEquals(parseAddress(text), undefined, text);
  }
});

Deno.test("addressRefusal names internal ranges in every spelling and passes public ones", () => {
  const cases: [string, string | undefined][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.255.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", undefined],
    ["192.168.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "shared (carrier-grade NAT)"],
    ["100.128.0.1", undefined],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "reserved or broadcast"],
    ["8.8.8.8", undefined],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fd12:3456::1", "private (unique local)"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:8.8.8.8", undefined],
    ["::10.0.0.1", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2002:a9fe:a9fe::", "link-local"],
    ["2606:4700:4700::1111", undefined],
  ];
  for (const [text, why] of cases) assertEquals(addressRefusal(parseAddress(text)!), why, text);
});

Deno.test("an allow list lets exact names and networks through, nothing else", async () => {
  const egress = new CallbackEgress(["Receiver.", "10.1.0.0/16", "fd00::/8", "127.0.0.1"]);
  assertEquals(egress.enqueueProblem("http://receiver/x"), undefined);
  assertEquals(egress.enqueueProblem("http://10.1.2.3/"), undefined);
  assertEquals(egress.enqueueProblem("http://[fd00::5]/"), undefined);
  assertEquals(egress.enqueueProblem("http://127.0.0.1:9/"), undefined);
  assert(egress.enqueueProblem("http://10.2.0.1/")?.includes("private"));
  assert(egress.enqueueProblem("http://127.0.0.2/")?.includes("loopback"));
  assert(egress.enqueueProblem("http://localhost/")?.includes("--callback-allow"));
  const internal = () => Promise.resolve(["10.9.9.9"]);
  assertEquals(await egress.deliveryProblem("http://receiver/x", internal), undefined);
  assertEquals((await egress.deliveryProblem("http://other/x", internal))?.refused, true);
  for (const bad of ["10.0.0.0/33", "::/129", "a b", "http://x", "1.2.3.4/x"]) {
    assertThrows(() => new CallbackEgress([bad]), TypeError);
  }
});

Deno.test("delivery refuses any internal answer, and retries a name that does not resolve", async () => {
  const egress = new CallbackEgress();
  const answers = (a: string[], aaaa: string[]) => (_: string, type: "A" | "AAAA") =>
    Promise.resolve(type === "A" ? a : aaaa);
  assertEquals(
    await egress.deliveryProblem("https://x.example/", answers(["8.8.8.8"], [])),
    undefined,
  );
  const mixed = await egress.deliveryProblem("https://x.example/", answers(["8.8.8.8"], ["::1"]));
  assertEquals(mixed?.refused, true);
  const none = await egress.deliveryProblem(
    "https://x.example/",
    () => Promise.reject(new Error("NXDOMAIN")),
  );
  assertEquals(none, { refused: false, reason: "cannot resolve x.example: NXDOMAIN" });
  assertEquals((await egress.deliveryProblem("http://[::1]/", answers([], [])))?.refused, true);
});
