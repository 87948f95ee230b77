// SASLprep (RFC 4013) of a SCRAM password, the way PostgreSQL applies it: map non-ASCII spaces to
// SPACE, drop "mapped to nothing" characters, NFKC-normalise, and if a prohibited character remains
// use the password unchanged (as the server did when the verifier was stored). The bidirectional
// (RandALCat) rule and the unassigned-code-point check are not applied.

/** RFC 3454 C.1.2: non-ASCII space characters, mapped to U+0020. */
function isNonAsciiSpace(cp: number): boolean {
  return (
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** RFC 3454 B.1: characters commonly mapped to nothing. */
function isMappedToNothing(cp: number): boolean {
  return (
    cp === 0xad ||
    cp === 0x34f ||
    cp === 0x1806 ||
    (cp >= 0x180b && cp <= 0x180d) ||
    (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff
  );
}

/** RFC 3454 tables C.1.2 and C.2.1-C.9: controls, private use, non-characters, surrogates, tagging... */
function isProhibited(cp: number): boolean {
  return (
    isNonAsciiSpace(cp) ||
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x340 ||
    cp === 0x341 ||
    cp === 0x6dd ||
    cp === 0x70f ||
    cp === 0x180e ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2063) ||
    (cp >= 0x206a && cp <= 0x206f) ||
    (cp >= 0x2ff0 && cp <= 0x2ffb) ||
    (cp >= 0xd800 && cp <= 0xf8ff) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffd) ||
    (cp & 0xfffe) === 0xfffe ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    cp === 0xe0001 ||
    (cp >= 0xe0020 && cp <= 0xe007f) ||
    cp >= 0xf0000
  );
}

export function saslprep(password: string): string {
  // Pure printable ASCII is unchanged by every step.
  if (/^[\x20-\x7E]*$/.test(password)) return password;
  let mapped = "";
  for (const ch of password) {
    const cp = ch.codePointAt(0)!;
    if (isNonAsciiSpace(cp)) mapped += " ";
    else if (!isMappedToNothing(cp)) mapped += ch;
  }
  const prepared = mapped.normalize("NFKC");
  for (const ch of prepared) if (isProhibited(ch.codePointAt(0)!)) return password;
  return prepared;
}
