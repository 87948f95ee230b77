// Headless Chromium discovering HTTP/3 the way browsers do: the first visit goes over the app's
// HTTP/2 TLS listener, whose responses carry `Alt-Svc: h3=":port"`; later requests race QUIC to
// the UDP port. No flag forces QUIC onto the app's origin, and the certificate is not pinned (a
// pinned certificate has errors, and Chromium ignores Alt-Svc from connections with errors): it
// comes from a root the browser trusts through its NSS database.
//
// Chromium accepts such a locally added root for TCP but refuses it for QUIC: its QUIC proof
// verifier (net/quic/crypto/proof_verifier_chromium.cc, DoVerifyCertComplete) fails a verified
// chain that is not `is_issued_by_known_root` (a root compiled into the Chrome Root Store) with
// ERR_QUIC_CERT_ROOT_NOT_KNOWN unless the host is in `hostnames_to_allow_unknown_roots`, which
// net/quic/quic_session_pool.cc fills only with the hosts of --origin-to-force-quic-on. The first
// test shows that refusal in the net-log; the second lists host 127.0.0.1 there through an origin
// on another port (only the host is kept), which forces nothing onto the app's origin.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "@fasterapi/core";
import { http2 } from "@fasterapi/http2";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http3 } from "../src/index.js";
import { type LocalTrust, makeLocalTrust } from "./fixtures/local-trust.js";
import { type NetLog, readNetLog } from "./fixtures/net-log.js";

const trust: LocalTrust = makeLocalTrust();
let app: App;
let tlsPort: number;
let h3Port: number;

beforeAll(async () => {
  app = new App({ logger: false, docs: false });
  const tls = { key: trust.key, cert: trust.cert };
  app.register(http2({ port: 0, host: "127.0.0.1", tls }));
  app.register(http3({ port: 0, host: "127.0.0.1", tls }));
  app.get("/", (ctx) => {
    ctx.reply.type("text/html; charset=utf-8");
    return "<!doctype html><title>alt-svc</title>";
  });
  app.get("/json", (ctx) => ({ protocol: ctx.request.protocol }));
  const addresses = await app.listen();
  tlsPort = addresses.find((a) => a.scheme === "https")?.port as number;
  h3Port = addresses.find((a) => a.scheme === "h3")?.port as number;
});

afterAll(async () => {
  await app?.close();
  trust.remove();
});

/** Runs `body` in a fresh Chromium profile whose HOME trusts the test root; resolves with its net-log. */
async function withChromium(extraArgs: string[], body: (page: Page) => Promise<void>): Promise<NetLog> {
  const dir = mkdtempSync(join(tmpdir(), "fasterapi-chromium-altsvc-"));
  const netLog = join(dir, "net-log.json");
  let context: BrowserContext | undefined;
  try {
    // Playwright's own defaults already turn off background networking, sync and first-run UI;
    // HOME is where Chromium finds the NSS database that trusts the test root.
    const args = ["--no-sandbox", "--enable-quic", `--log-net-log=${netLog}`, ...extraArgs];
    const env = { ...process.env, HOME: trust.home };
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: "/usr/bin/chromium",
      env,
      args,
    });
    await body(await context.newPage());
    await context.close();
    context = undefined;
    return readNetLog(netLog);
  } finally {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The protocol that carried the page, and `n` fetches of /json (client's and server's view). */
async function visit(page: Page, n: number) {
  await page.goto(`https://127.0.0.1:${tlsPort}/`);
  return page.evaluate(async (count) => {
    // Browser globals (this runs in the page).
    const timing = performance as unknown as {
      getEntriesByType(type: string): { name: string; nextHopProtocol: string }[];
    };
    const navigation = timing.getEntriesByType("navigation")[0]?.nextHopProtocol;
    const fetches: { client: string; server: string }[] = [];
    for (let i = 0; i < count; i++) {
      const url = `/json?i=${i}&t=${Date.now()}`;
      const body = (await (await fetch(url)).json()) as { protocol: string };
      const entry = timing.getEntriesByType("resource").find((e) => e.name.endsWith(url));
      fetches.push({ client: entry?.nextHopProtocol ?? "?", server: body.protocol });
      await new Promise((r) => setTimeout(r, 100));
    }
    return { navigation, fetches };
  }, n);
}

describe("Chromium and Alt-Svc from the HTTP/2 listener", () => {
  it("without any QUIC flag: learns h3 from Alt-Svc, races QUIC, and refuses the local root for QUIC only", async () => {
    let seen: Awaited<ReturnType<typeof visit>> | undefined;
    const log = await withChromium([], async (page) => {
      seen = await visit(page, 8);
    });
    // TCP: the locally trusted root verifies, every request stays on h2.
    expect(seen?.navigation).toBe("h2");
    expect(seen?.fetches.every((f) => f.client === "h2" && f.server === "h2")).toBe(true);

    const altSvcHeaders = log
      .events("HTTP2_SESSION_RECV_HEADERS")
      .flatMap((e) => e.params.headers as string[])
      .filter((h) => h.startsWith("alt-svc:"));
    expect(altSvcHeaders).toContain(`alt-svc: h3=":${h3Port}"; ma=86400`);
    const tcpVerify = log.events("CERT_VERIFIER_JOB").find((e) => "cert_status" in e.params);
    expect(tcpVerify?.params).toMatchObject({ cert_status: 0, is_issued_by_known_root: false });

    // The stored alternative service made Chromium start a QUIC job to the UDP port...
    const found = log.events("HTTP_STREAM_JOB_CONTROLLER_ALT_SVC_FOUND").map((e) => String(e.params.alt_svc));
    expect(found.some((s) => s.startsWith(`quic 127.0.0.1:${h3Port}`))).toBe(true);
    const quicJobs = log.events("HTTP_STREAM_JOB").filter((e) => e.params.using_quic === true);
    expect(quicJobs.map((e) => e.params.type)).toContain("alternative");
    const fromServer = log
      .events("QUIC_SESSION_PACKET_RECEIVED")
      .filter((e) => e.params.peer_address === `127.0.0.1:${h3Port}`);
    expect(fromServer.length).toBeGreaterThan(0);
    const ids = new Set(fromServer.map((e) => e.sourceId));
    // ...whose handshake got our server's certificate (Handshake-level CRYPTO data)...
    const crypto = log.events("QUIC_SESSION_CRYPTO_FRAME_RECEIVED").filter((e) => ids.has(e.sourceId));
    expect(crypto.map((e) => e.params.encryption_level)).toContain("ENCRYPTION_HANDSHAKE");
    // ...and that Chromium then closed itself: certificate_unknown, the unknown-root refusal.
    const closed = log.events("QUIC_SESSION_CLOSED").filter((e) => ids.has(e.sourceId));
    expect(closed[0]?.params).toMatchObject({ from_peer: false });
    expect(String(closed[0]?.params.details)).toContain("certificate unknown");
  });

  it("with unknown roots allowed for 127.0.0.1: the first visit is h2, later requests switch to h3", async () => {
    let first: Awaited<ReturnType<typeof visit>> | undefined;
    let second: Awaited<ReturnType<typeof visit>> | undefined;
    // Port 1 is not the app's: Chromium keeps only the host of this origin for its unknown-root list.
    await withChromium(["--origin-to-force-quic-on=127.0.0.1:1"], async (page) => {
      first = await visit(page, 6);
      second = await visit(page, 2);
    });
    // The page itself came over TCP: nothing forced QUIC onto the app's origin. The QUIC
    // connection that Alt-Svc started serves the requests once it is up.
    expect(first?.navigation).toBe("h2");
    const switched = first?.fetches.findIndex((f) => f.client === "h3") ?? -1;
    expect(switched).toBeGreaterThanOrEqual(0);
    expect(first?.fetches.slice(switched).every((f) => f.client === "h3" && f.server === "h3")).toBe(true);
    expect(second?.navigation).toBe("h3");
    expect(second?.fetches).toEqual([
      { client: "h3", server: "h3" },
      { client: "h3", server: "h3" },
    ]);
  });
});
