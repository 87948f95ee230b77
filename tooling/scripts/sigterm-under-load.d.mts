// Types of sigterm-under-load.mjs for TypeScript callers (tests, the multi-worker runner).
export interface WrkSummary {
  completed: number;
  non2xx: number;
  errors: { connect: number; read: number; write: number; timeout: number };
}

export interface ServerReport {
  exit: number;
  read: number;
  answered: number;
  [extra: string]: unknown;
}

export interface SigtermMeasurement {
  client: WrkSummary;
  server: ServerReport;
  /** Requests read and not answered, plus answers that did not reach wrk (0 when nothing was lost). */
  lost: number;
  exitCode: number | null;
}

export interface SigtermOptions {
  command: string;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  connections?: number;
  threads?: number;
  seconds?: number;
  signalAfterMs?: number;
  path?: string;
  exitTimeoutMs?: number;
}

export function parseWrk(output: string): WrkSummary;
export function measureSigtermUnderLoad(options: SigtermOptions): Promise<SigtermMeasurement>;
