// Which close codes an endpoint may send (RFC 6455 7.4): 1000-1003, 1007-1014 and 3000-4999;
// 1004-1006 and 1015 are reserved for reporting, never for the wire. A reason fits in 123 bytes.

export function isSendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

export function checkClose(code: number, reason: string): void {
  if (!isSendableCloseCode(code)) {
    throw new RangeError(`close(): ${String(code)} is not a close code an endpoint may send`);
  }
  if (Buffer.byteLength(reason) > 123) throw new RangeError("close(): the reason must fit in 123 bytes");
}
