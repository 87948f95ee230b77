// PostgreSQL's MD5 password response: "md5" + md5hex(md5hex(password + user) + salt). A pure function;
// sending it (PasswordMessage) is the pool's job. MD5 auth is legacy; prefer SCRAM-SHA-256.

import { createHash } from "node:crypto";

export function md5Password(user: string, password: string, salt: Uint8Array): string {
  if (salt.length !== 4) throw new RangeError(`MD5 salt must be 4 bytes, got ${salt.length}`);
  const inner = createHash("md5").update(password, "utf8").update(user, "utf8").digest("hex");
  return `md5${createHash("md5").update(inner, "ascii").update(salt).digest("hex")}`;
}
