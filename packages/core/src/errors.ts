// Errors that core turns into HTTP answers: HTTPException (any status, FastAPI's `{"detail": ...}`)
// and RequestValidationError (422 with FastAPI's list of issues). Rendering them into a response
// is the pipeline's job, not this module's.
import { REASON_PHRASES } from "./reason-phrases.js";

/** RFC 9110's reason phrase for a status code ("Not Found"), or "Unknown Status" for unassigned codes. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? "Unknown Status";
}

/** Thrown by handlers, hooks and dependencies to answer with `status` and `{"detail": detail}`. */
export class HTTPException extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, detail?: unknown, headers?: Record<string, string>) {
    const resolved = detail === undefined ? reasonPhrase(status) : detail;
    super(typeof resolved === "string" ? resolved : reasonPhrase(status));
    this.name = "HTTPException";
    this.status = status;
    this.detail = resolved;
    this.headers = headers;
  }
}

/** One validation failure in FastAPI's shape: where (`["query", "limit"]`), what, and a machine-readable type. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  /** The offending value, when there is one (FastAPI includes it as `input`). */
  input?: unknown;
}

/** Request data failed its schema; core answers 422 `{"detail": issues}`. */
export class RequestValidationError extends Error {
  readonly status = 422;
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(`Request validation failed: ${issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")}`);
    this.name = "RequestValidationError";
    this.issues = issues;
  }
}
