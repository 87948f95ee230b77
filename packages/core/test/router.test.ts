import { describe, expect, it } from "vitest";
import { ANY_METHOD, RadixRouter, type RouteMatch } from "../src/router.js";

function hit<T>(router: RadixRouter<T>, method: string, path: string): RouteMatch<T> {
  const found = router.find(method, path);
  if (found === null || !("value" in found))
    throw new Error(`expected a hit for ${method} ${path}, got ${JSON.stringify(found)}`);
  return found;
}

describe("RadixRouter", () => {
  it("matches static routes exactly, including the root path", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/", "root");
    router.add("GET", "/items", "items");
    router.add("GET", "/items/all", "all");
    router.add("GET", "/itemsx", "itemsx");
    expect(hit(router, "GET", "/").value).toBe("root");
    expect(hit(router, "GET", "/items").value).toBe("items");
    expect(hit(router, "GET", "/items/all").value).toBe("all");
    expect(hit(router, "GET", "/itemsx").value).toBe("itemsx");
    expect(hit(router, "GET", "/items").params).toEqual({});
    expect(router.find("GET", "/item")).toBeNull();
    expect(router.find("GET", "/items/")).toBeNull();
    expect(router.find("GET", "/items/all/x")).toBeNull();
  });

  it("captures :param segments by name", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/users/:userId/posts/:postId", "post");
    router.add("GET", "/users/:userId", "user");
    expect(hit(router, "GET", "/users/42/posts/7")).toEqual({
      value: "post",
      params: { userId: "42", postId: "7" },
    });
    expect(hit(router, "GET", "/users/abc")).toEqual({ value: "user", params: { userId: "abc" } });
    // A parameter never matches an empty segment.
    expect(router.find("GET", "/users/")).toBeNull();
    expect(router.find("GET", "/users//posts/1")).toBeNull();
  });

  it("prefers static over param over wildcard, and backtracks when a branch dead-ends", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/files/*", "wild");
    router.add("GET", "/files/:name", "param");
    router.add("GET", "/files/readme", "static");
    router.add("GET", "/files/readme/raw", "static-raw");
    router.add("GET", "/files/:name/meta", "param-meta");
    expect(hit(router, "GET", "/files/readme").value).toBe("static");
    expect(hit(router, "GET", "/files/other").value).toBe("param");
    expect(hit(router, "GET", "/files/readme/raw").value).toBe("static-raw");
    // "readme" is a static branch, but only the param branch continues with "/meta".
    expect(hit(router, "GET", "/files/readme/meta")).toEqual({
      value: "param-meta",
      params: { name: "readme" },
    });
    expect(hit(router, "GET", "/files/a/b/c")).toEqual({ value: "wild", params: { "*": "a/b/c" } });
    expect(hit(router, "GET", "/files/")).toEqual({ value: "wild", params: { "*": "" } });
    // The same precedence inside the tree (no static fast path involved).
    router.add("GET", "/docs/:name/:page", "param-param");
    router.add("GET", "/docs/intro/:page", "static-param");
    router.add("GET", "/docs/*", "docs-wild");
    expect(hit(router, "GET", "/docs/intro/2")).toEqual({ value: "static-param", params: { page: "2" } });
    expect(hit(router, "GET", "/docs/guide/2")).toEqual({
      value: "param-param",
      params: { name: "guide", page: "2" },
    });
    expect(hit(router, "GET", "/docs/intro/2/3")).toEqual({
      value: "docs-wild",
      params: { "*": "intro/2/3" },
    });
  });

  it("captures the rest of the path with a trailing wildcard after params", () => {
    const router = new RadixRouter<number>();
    router.add("GET", "/repos/:owner/*", 1);
    expect(hit(router, "GET", "/repos/ada/src/index.ts")).toEqual({
      value: 1,
      params: { owner: "ada", "*": "src/index.ts" },
    });
  });

  it("percent-decodes params and wildcard captures but not static text", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/tags/:tag", "tag");
    router.add("GET", "/static/*", "static");
    expect(hit(router, "GET", "/tags/caf%C3%A9%20bar").params).toEqual({ tag: "café bar" });
    expect(hit(router, "GET", "/tags/a%2Fb").params).toEqual({ tag: "a/b" });
    expect(hit(router, "GET", "/static/a%20b/c").params).toEqual({ "*": "a b/c" });
    // Static text with characters clients must encode matches its encoded form.
    router.add("GET", "/menu/café crème", "menu");
    expect(hit(router, "GET", "/menu/caf%C3%A9%20cr%C3%A8me").value).toBe("menu");
    router.add("GET", "/menu/café/:dish", "dish");
    expect(hit(router, "GET", "/menu/caf%C3%A9/cr%C3%AApe")).toEqual({
      value: "dish",
      params: { dish: "crêpe" },
    });
    // A malformed escape is passed through as sent rather than throwing.
    expect(hit(router, "GET", "/tags/100%").params).toEqual({ tag: "100%" });
  });

  it("reports the allowed methods (with HEAD for GET) when the path exists for other methods", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/items/:id", "get");
    router.add("DELETE", "/items/:id", "delete");
    router.add("POST", "/items", "create");
    expect(router.find("PUT", "/items/1")).toEqual({ allowed: ["DELETE", "GET", "HEAD"] });
    expect(router.find("GET", "/items")).toEqual({ allowed: ["POST"] });
    expect(router.find("PUT", "/nothing")).toBeNull();
  });

  it("unions the allowed methods of every route shape that matches the path", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/users/me", "me");
    router.add("PATCH", "/users/:id", "patch");
    expect(hit(router, "PATCH", "/users/me")).toEqual({ value: "patch", params: { id: "me" } });
    expect(router.find("DELETE", "/users/me")).toEqual({ allowed: ["GET", "HEAD", "PATCH"] });
  });

  it("answers HEAD with the GET route until an explicit HEAD route is added", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/a", "get");
    expect(hit(router, "HEAD", "/a").value).toBe("get");
    router.add("HEAD", "/a", "head");
    expect(hit(router, "HEAD", "/a").value).toBe("head");
    expect(hit(router, "GET", "/a").value).toBe("get");
  });

  it("lets an ANY_METHOD route take every method without its own route", () => {
    const router = new RadixRouter<string>();
    router.add(ANY_METHOD, "/hook/:id", "any");
    router.add("POST", "/hook/:id", "post");
    expect(hit(router, "PURGE", "/hook/1")).toEqual({ value: "any", params: { id: "1" } });
    expect(hit(router, "POST", "/hook/1").value).toBe("post");
  });

  it("rejects a duplicate route with an error naming it, also across param names", () => {
    const router = new RadixRouter<string>();
    router.add("GET", "/items/:id", "a");
    expect(() => router.add("GET", "/items/:id", "b")).toThrow("Route GET /items/:id is already registered");
    expect(() => router.add("GET", "/items/:itemId", "b")).toThrow(
      "Route GET /items/:itemId is already registered (conflicts with /items/:id)",
    );
    router.add("POST", "/items/:itemId", "c");
    expect(hit(router, "POST", "/items/9").params).toEqual({ itemId: "9" });
    expect(hit(router, "GET", "/items/9").params).toEqual({ id: "9" });
  });

  it("rejects malformed route paths", () => {
    const router = new RadixRouter<string>();
    expect(() => router.add("GET", "items", "x")).toThrow('must start with "/"');
    expect(() => router.add("GET", "/a/*/b", "x")).toThrow('"*" only as its last segment');
    expect(() => router.add("GET", "/a/:", "x")).toThrow("invalid parameter");
    expect(() => router.add("GET", "/a/:id/:id", "x")).toThrow('repeats the path parameter ":id"');
    expect(() => router.add("GET", "/a/b:c", "x")).toThrow("must start a segment");
  });

  it("keeps many routes with shared prefixes apart", () => {
    const router = new RadixRouter<string>();
    const paths = ["/a", "/ab", "/abc", "/abd", "/a/b", "/a/:x", "/a/:x/c", "/b/:y/d", "/abc/:z"];
    for (const path of paths) router.add("GET", path, path);
    expect(hit(router, "GET", "/a").value).toBe("/a");
    expect(hit(router, "GET", "/ab").value).toBe("/ab");
    expect(hit(router, "GET", "/abc").value).toBe("/abc");
    expect(hit(router, "GET", "/abd").value).toBe("/abd");
    expect(hit(router, "GET", "/a/b").value).toBe("/a/b");
    expect(hit(router, "GET", "/a/q")).toEqual({ value: "/a/:x", params: { x: "q" } });
    expect(hit(router, "GET", "/a/b/c")).toEqual({ value: "/a/:x/c", params: { x: "b" } });
    expect(hit(router, "GET", "/b/1/d")).toEqual({ value: "/b/:y/d", params: { y: "1" } });
    expect(hit(router, "GET", "/abc/9")).toEqual({ value: "/abc/:z", params: { z: "9" } });
    expect(router.find("GET", "/abe")).toBeNull();
  });
});

/** A deliberately naive matcher with the same rules, to cross-check the tree on random route sets. */
function referenceFind(
  routes: { method: string; segments: string[]; id: string }[],
  method: string,
  path: string,
) {
  const parts = path.split("/").slice(1);
  const matching: { route: (typeof routes)[number]; key: number[]; params: Record<string, string> }[] = [];
  for (const route of routes) {
    const key: number[] = [];
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < route.segments.length && ok; i++) {
      const segment = route.segments[i] as string;
      if (segment === "*") {
        key.push(2);
        params["*"] = parts.slice(i).join("/");
        if (parts.length < i + 1) ok = false;
        break;
      }
      const part = parts[i];
      if (part === undefined) ok = false;
      else if (segment.startsWith(":")) {
        key.push(1);
        params[segment.slice(1)] = part;
        ok = part !== "";
      } else {
        key.push(0);
        ok = part === segment;
      }
      if (ok && i === route.segments.length - 1 && parts.length !== route.segments.length) ok = false;
    }
    if (ok) matching.push({ route, key, params });
  }
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
    return a.length - b.length;
  };
  const withMethod = matching
    .filter((m) => m.route.method === method || (method === "HEAD" && m.route.method === "GET"))
    .sort((a, b) => compare(a.key, b.key));
  const best = withMethod[0];
  if (best !== undefined) return { value: best.route.id, params: best.params };
  if (matching.length === 0) return null;
  const allowed = new Set<string>();
  for (const m of matching) {
    allowed.add(m.route.method);
    if (m.route.method === "GET") allowed.add("HEAD");
  }
  return { allowed: [...allowed].sort() };
}

describe("RadixRouter against a naive reference matcher", () => {
  it("agrees on hits, params, 405 method lists and misses for random route sets", () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const routeSegments = ["a", "b", "ab", "", ":p", "*"];
    const pathSegments = ["a", "b", "ab", "c", "", "a%20b"];
    let hits = 0;
    let mismatches = 0;
    for (let round = 0; round < 300; round++) {
      const router = new RadixRouter<string>();
      const routes: { method: string; segments: string[]; id: string }[] = [];
      for (let r = 0; r < 8; r++) {
        const length = 1 + random(3);
        const segments: string[] = [];
        for (let s = 0; s < length; s++) {
          let segment = routeSegments[random(routeSegments.length)] as string;
          if (segment === "*" && s !== length - 1) segment = "a";
          segments.push(segment === ":p" ? `:p${s}` : segment);
        }
        const method = random(2) === 0 ? "GET" : "POST";
        const id = `${method} /${segments.join("/")}`;
        try {
          router.add(method, `/${segments.join("/")}`, id);
          routes.push({ method, segments, id });
        } catch (error) {
          expect((error as Error).message).toContain("is already registered");
        }
      }
      for (let p = 0; p < 30; p++) {
        const length = 1 + random(4);
        const parts: string[] = [];
        for (let s = 0; s < length; s++) parts.push(pathSegments[random(pathSegments.length)] as string);
        const path = `/${parts.join("/")}`;
        const method = ["GET", "POST", "HEAD", "PUT"][random(4)] as string;
        const expected = referenceFind(routes, method, decodeURIComponent(path));
        const actual = router.find(method, path);
        if (actual !== null && "value" in actual) hits++;
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          mismatches++;
          expect({ routes: routes.map((r) => r.id), method, path, actual }).toEqual({
            routes: routes.map((r) => r.id),
            method,
            path,
            actual: expected,
          });
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(hits).toBeGreaterThan(500); // the random sets really exercise matches, not just misses
  });
});
