// Throwaway self-signed certificates made with the openssl CLI, for TLS tests and benchmarks on
// loopback (never for serving anything real): an ECDSA P-256 or RSA 2048 key, valid for a day or
// two, with the subjectAltName clients check. Also the SPKI pin Chromium takes for QUIC.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const KEY_ARGS = {
  ec: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
  rsa: ["-newkey", "rsa:2048"],
};

export function writeSelfSignedCert(dir, { commonName, altNames, key = "ec", days = 1 }) {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      ...KEY_ARGS[key],
      "-nodes",
      "-days",
      String(days),
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      `subjectAltName=${altNames}`,
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: "ignore" },
  );
  return { keyPath, certPath };
}

export function selfSignedCert(options) {
  const dir = mkdtempSync(join(tmpdir(), "fasterapi-cert-"));
  try {
    const { keyPath, certPath } = writeSelfSignedCert(dir, options);
    return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function spkiPin(certPem) {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}
