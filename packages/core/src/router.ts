// Route lookup: a radix tree over static text, `:param` segments and a trailing `*` wildcard,
// with a Map fast path for fully static routes. It maps (method, path) to a value and says which
// methods a path allows (for 405); it knows nothing about handlers, hooks or query strings.

/** A route hit: the stored value and the decoded path parameters (`params["*"]` for a wildcard). */
export interface RouteMatch<T> {
  readonly value: T;
  readonly params: Record<string, string>;
}

/** The path exists, but not for this method: answer 405 with these methods in `Allow`. */
export interface MethodMismatch {
  readonly allowed: string[];
}

export type RouteLookup<T> = RouteMatch<T> | MethodMismatch | null;

/** Registers a value for every method that has no route of its own on that path (`app.all`). */
export const ANY_METHOD = "*";

/**
 * Shared by the hits of static routes so a static hit allocates nothing. Frozen: copy it before
 * adding keys.
 */
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const PARAM_NAME = /^[A-Za-z_$][\w$]*$/;
/** Characters a client percent-encodes in a path; static route text is stored encoded to match. */
const NOT_URL_SAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@%]/gu;

interface RouteEntry<T> {
  readonly value: T;
  /** Parameter names in path order; a trailing wildcard adds "*". */
  readonly paramNames: readonly string[];
  /** As registered, for error messages. */
  readonly path: string;
  /** Cached hit for static routes. */
  readonly staticMatch: RouteMatch<T> | null;
  /** A GET route standing in for HEAD until a HEAD route is registered on the same path. */
  readonly implicitHead: boolean;
}

/** The routes ending at one tree position, by method. */
class Leaf<T> {
  readonly byMethod = new Map<string, RouteEntry<T>>();
  any: RouteEntry<T> | null = null;

  lookup(method: string): RouteEntry<T> | null {
    return this.byMethod.get(method) ?? this.any;
  }

  methods(into: Set<string>): void {
    for (const m of this.byMethod.keys()) into.add(m);
  }
}

class TreeNode<T> {
  /** Static text matched on entering this node ("" for the root and for param nodes). */
  prefix: string;
  /** Static children, each with a distinct first character. */
  children: TreeNode<T>[] = [];
  /** What follows a `:param` segment that starts here. */
  param: TreeNode<T> | null = null;
  /** Routes ending with `*` here. */
  wildcard: Leaf<T> | null = null;
  /** Routes ending exactly here. */
  leaf: Leaf<T> | null = null;

  constructor(prefix: string) {
    this.prefix = prefix;
  }
}

type Token = { kind: "static"; text: string } | { kind: "param"; name: string } | { kind: "wildcard" };

export class RadixRouter<T> {
  private readonly root = new TreeNode<T>("");
  private readonly staticRoutes = new Map<string, Leaf<T>>();
  // Scratch space for the current lookup: find() is synchronous, so one set per router suffices
  // and a lookup allocates nothing until it builds the params object of a hit.
  private paramStarts: number[] = [];
  private paramEnds: number[] = [];
  private wildcardStart = 0;
  private pathMatchedOtherMethod = false;

  /**
   * Registers `value` for `method` (upper-case, or `ANY_METHOD`) on `path`. Throws when the same
   * method already has a route of the same shape (`/a/:id` and `/a/:name` are the same shape).
   */
  add(method: string, path: string, value: T): void {
    const tokens = tokenize(path);
    const paramNames: string[] = [];
    let node = this.root;
    let leaf: Leaf<T> | undefined;
    for (const token of tokens) {
      if (token.kind === "static") {
        node = insertStatic(node, token.text);
      } else if (token.kind === "param") {
        if (paramNames.includes(token.name)) {
          throw new Error(`Route ${method} ${path} repeats the path parameter ":${token.name}"`);
        }
        paramNames.push(token.name);
        node.param ??= new TreeNode<T>("");
        node = node.param;
      } else {
        paramNames.push("*");
        node.wildcard ??= new Leaf<T>();
        leaf = node.wildcard;
      }
    }
    if (leaf === undefined) {
      node.leaf ??= new Leaf<T>();
      leaf = node.leaf;
    }
    const isStatic = paramNames.length === 0;
    // Keyed by the route's text as clients send it (non-ASCII percent-encoded).
    if (isStatic)
      this.staticRoutes.set(tokens.map((t) => (t.kind === "static" ? t.text : "")).join(""), leaf);
    const entry = (implicitHead: boolean): RouteEntry<T> => ({
      value,
      paramNames,
      path,
      implicitHead,
      staticMatch: isStatic ? Object.freeze({ value, params: NO_PARAMS }) : null,
    });

    if (method === ANY_METHOD) {
      if (leaf.any !== null) throw duplicate(method, path, leaf.any.path);
      leaf.any = entry(false);
      return;
    }
    const existing = leaf.byMethod.get(method);
    if (existing !== undefined && !existing.implicitHead) throw duplicate(method, path, existing.path);
    leaf.byMethod.set(method, entry(false));
    // Core answers HEAD for every GET route; an explicit HEAD route registered later replaces this.
    if (method === "GET" && !leaf.byMethod.has("HEAD")) leaf.byMethod.set("HEAD", entry(true));
  }

  /**
   * Looks up a request path (without its query string). Returns the hit, the allowed methods when
   * only other methods match the path, or null when nothing matches it.
   */
  find(method: string, path: string): RouteLookup<T> {
    const staticLeaf = this.staticRoutes.get(path);
    if (staticLeaf !== undefined) {
      const entry = staticLeaf.lookup(method);
      if (entry !== null) return entry.staticMatch as RouteMatch<T>;
    }
    this.pathMatchedOtherMethod = false;
    const entry = this.match(this.root, method, path, 0, 0);
    if (entry !== null) return this.buildMatch(entry, path);
    if (!this.pathMatchedOtherMethod) return null;
    const allowed = new Set<string>();
    this.collectMethods(this.root, path, 0, allowed);
    return { allowed: [...allowed].sort() };
  }

  private buildMatch(entry: RouteEntry<T>, path: string): RouteMatch<T> {
    if (entry.staticMatch !== null) return entry.staticMatch;
    const names = entry.paramNames;
    const params: Record<string, string> = {};
    const hasPercent = path.includes("%");
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const raw =
        name === "*"
          ? path.slice(this.wildcardStart)
          : path.slice(this.paramStarts[i] as number, this.paramEnds[i] as number);
      params[name] = hasPercent ? decodeSegment(raw) : raw;
    }
    return { value: entry.value, params };
  }

  /** Depth-first: static children, then the param branch, then the wildcard; backtracks on failure. */
  private match(
    node: TreeNode<T>,
    method: string,
    path: string,
    pos: number,
    depth: number,
  ): RouteEntry<T> | null {
    const length = path.length;
    if (pos === length) {
      if (node.leaf !== null) {
        const entry = node.leaf.lookup(method);
        if (entry !== null) return entry;
        this.pathMatchedOtherMethod = true;
      }
    } else {
      const children = node.children;
      const code = path.charCodeAt(pos);
      for (let i = 0; i < children.length; i++) {
        const child = children[i] as TreeNode<T>;
        if (child.prefix.charCodeAt(0) !== code) continue;
        if (path.startsWith(child.prefix, pos)) {
          const found = this.match(child, method, path, pos + child.prefix.length, depth);
          if (found !== null) return found;
        }
        break;
      }
      if (node.param !== null) {
        let end = path.indexOf("/", pos);
        if (end === -1) end = length;
        if (end > pos) {
          this.paramStarts[depth] = pos;
          this.paramEnds[depth] = end;
          const found = this.match(node.param, method, path, end, depth + 1);
          if (found !== null) return found;
        }
      }
    }
    if (node.wildcard !== null) {
      const entry = node.wildcard.lookup(method);
      if (entry !== null) {
        this.wildcardStart = pos;
        return entry;
      }
      this.pathMatchedOtherMethod = true;
    }
    return null;
  }

  /** Slow path for 405: every method of every route whose shape matches the path. */
  private collectMethods(node: TreeNode<T>, path: string, pos: number, into: Set<string>): void {
    if (pos === path.length) {
      node.leaf?.methods(into);
    } else {
      for (const child of node.children) {
        if (path.startsWith(child.prefix, pos))
          this.collectMethods(child, path, pos + child.prefix.length, into);
      }
      if (node.param !== null) {
        let end = path.indexOf("/", pos);
        if (end === -1) end = path.length;
        if (end > pos) this.collectMethods(node.param, path, end, into);
      }
    }
    node.wildcard?.methods(into);
  }
}

function duplicate(method: string, path: string, existingPath: string): Error {
  const same = existingPath === path ? "" : ` (conflicts with ${existingPath})`;
  return new Error(`Route ${method === ANY_METHOD ? "ALL" : method} ${path} is already registered${same}`);
}

function tokenize(path: string): Token[] {
  if (!path.startsWith("/")) throw new Error(`Route path "${path}" must start with "/"`);
  const tokens: Token[] = [];
  let text = "";
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    text += "/";
    if (segment.startsWith(":")) {
      const name = segment.slice(1);
      if (!PARAM_NAME.test(name)) {
        throw new Error(
          `Route path "${path}" has an invalid parameter ":${name}" (use letters, digits, _ or $)`,
        );
      }
      tokens.push({ kind: "static", text });
      text = "";
      tokens.push({ kind: "param", name });
    } else if (segment === "*") {
      if (i !== segments.length - 1)
        throw new Error(`Route path "${path}" may use "*" only as its last segment`);
      tokens.push({ kind: "static", text });
      text = "";
      tokens.push({ kind: "wildcard" });
    } else {
      if (segment.includes("*") || segment.includes(":")) {
        throw new Error(
          `Route path "${path}" has "${segment}": ":" and "*" must start a segment of their own`,
        );
      }
      text += segment.replace(NOT_URL_SAFE, encodeURIComponent);
    }
  }
  if (text !== "") tokens.push({ kind: "static", text });
  return tokens;
}

/** Descends `text` from `node`, splitting nodes where prefixes diverge; returns the node ending at `text`. */
function insertStatic<T>(start: TreeNode<T>, text: string): TreeNode<T> {
  let node = start;
  let rest = text;
  while (rest.length > 0) {
    const children = node.children;
    const index = children.findIndex((c) => c.prefix.charCodeAt(0) === rest.charCodeAt(0));
    if (index === -1) {
      const child = new TreeNode<T>(rest);
      children.push(child);
      return child;
    }
    let child = children[index] as TreeNode<T>;
    let common = 0;
    const max = Math.min(child.prefix.length, rest.length);
    while (common < max && child.prefix.charCodeAt(common) === rest.charCodeAt(common)) common++;
    if (common < child.prefix.length) {
      const middle = new TreeNode<T>(child.prefix.slice(0, common));
      child.prefix = child.prefix.slice(common);
      middle.children.push(child);
      children[index] = middle;
      child = middle;
    }
    node = child;
    rest = rest.slice(common);
  }
  return node;
}

function decodeSegment(raw: string): string {
  if (!raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape stays as sent; the route's schema (if any) decides whether it is acceptable.
    return raw;
  }
}
