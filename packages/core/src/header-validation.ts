// Response header checks at the moment a handler sets one (as node:http's setHeader does), so a
// bad name or a value with CR, LF or NUL fails the handler with a TypeError (-> 500) on every
// transport, instead of reaching a transport that would refuse it mid-write or split a header.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export function assertValidHeader(name: string, value: string | readonly string[]): void {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid response header name: ${JSON.stringify(name)}`);
  if (typeof value === "string") {
    if (INVALID_VALUE.test(value)) throw new TypeError(`Invalid character in response header "${name}"`);
    return;
  }
  for (const item of value) {
    if (INVALID_VALUE.test(item)) throw new TypeError(`Invalid character in response header "${name}"`);
  }
}
