// curl POSTing a JSON body with Expect: 100-continue, for the transports that answer it (HTTP/1.1,
// HTTP/2). curl holds the body back until the interim 100 arrives, for longer than a test may
// run: without the 100 the test times out instead of passing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

/** curl's body output and its verbose log (where the 100 shows); `curlArgs` picks the protocol. */
export function curlExpectContinue(
  url: string,
  json: string,
  curlArgs: string[] = [],
): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)("curl", [
    "-sS",
    "-v",
    ...curlArgs,
    "--expect100-timeout",
    "60",
    "-H",
    "Expect: 100-continue",
    "-H",
    "content-type: application/json",
    "--data-binary",
    json,
    url,
  ]);
}
