export interface SelfSignedOptions {
  /** The subject's CN. */
  commonName: string;
  /** The subjectAltName value, e.g. "DNS:localhost,IP:127.0.0.1". */
  altNames: string;
  /** ECDSA P-256 (default) or RSA 2048. */
  key?: "ec" | "rsa";
  /** Days of validity (default 1). */
  days?: number;
}

/** Writes key.pem and cert.pem into `dir`; returns their paths. */
export function writeSelfSignedCert(
  dir: string,
  options: SelfSignedOptions,
): { keyPath: string; certPath: string };

/** A certificate and its key as PEM text (made in a temporary directory that is removed again). */
export function selfSignedCert(options: SelfSignedOptions): { key: string; cert: string };

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
export function spkiPin(certPem: string): string;
