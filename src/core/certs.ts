/**
 * The gateway's self-signed TLS pair, `ssl/public.pem` and `ssl/private.pem`, with the same
 * semantics as the stack's `certs.sh` (which stays for manual use): SAN localhost, 127.0.0.1,
 * ::1 and the host name, ten years, key mode 600, never overwritten unless forced, and when
 * forced the old pair is kept in `ssl/backup-<UTC timestamp>[-n]/` — a certificate that clients
 * pin must never be lost by a click. The backup and the new pair are one change set: on a full
 * disk or a read-only folder the old pair stays in place, byte for byte, and no backup is left.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SparkError } from './errors';
import type { StackChange } from './files';
import { applyStackChanges } from './files';
import { printable } from './inputs';
import { requireWritableStack } from './stack/discovery';

export const SSL_DIR = 'ssl';
export const CERT_FILE = path.join(SSL_DIR, 'public.pem');
export const KEY_FILE = path.join(SSL_DIR, 'private.pem');
/** Ten years, as the seed's certs.sh (`-days 3650`). */
export const CERT_DAYS = 3650;

export interface SubjectAltName {
  readonly type: 'DNS' | 'IP';
  readonly value: string;
}

export interface CertOptions {
  /** Replace an existing pair, keeping it in a backup folder. */
  readonly force?: boolean;
  /** Host name to add (default `os.hostname()`); localhost-like names are skipped. */
  readonly hostname?: string;
  /** Extra names as certs.sh's CERT_EXTRA_SANS: `DNS:spark.lan,IP:192.168.1.20`. */
  readonly extraSans?: string;
  /** The clock (tests). */
  readonly now?: Date;
}

export interface CertResult {
  readonly certFile: string;
  readonly keyFile: string;
  readonly sans: readonly SubjectAltName[];
  readonly notAfter: Date;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex like `openssl -fingerprint`. */
  readonly fingerprint: string;
  /** Where the previous pair went, when there was one. */
  readonly backupDir?: string;
}

/** A pair exists and `force` was not given: nothing was changed. */
export class CertificateExistsError extends SparkError {
  constructor(readonly existing: readonly string[]) {
    super(
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; not overwriting`,
      'Run `spark-gateway certs --force` to replace the pair (the old one is kept in ssl/backup-<timestamp>/)',
    );
  }
}

/** The names certs.sh puts in the certificate, in its order. Pure. */
export function subjectAltNames(hostname: string, extraSans = ''): SubjectAltName[] {
  const sans: SubjectAltName[] = [
    { type: 'DNS', value: 'localhost' },
    { type: 'IP', value: '127.0.0.1' },
    { type: 'IP', value: '::1' },
  ];
  const name = hostname.trim();
  if (name !== '' && name !== 'localhost' && !name.startsWith('localhost.')) sans.push({ type: 'DNS', value: name });
  for (const [index, item] of extraSans.split(',').map((s) => s.trim()).entries()) {
    if (item === '') continue;
    const problem = sanProblem(item);
    if (problem !== undefined) {
      throw new SparkError(
        `CERT_EXTRA_SANS (environment), item ${index + 1} "${printable(item)}": ${problem}; no certificate was written`,
        'Write CERT_EXTRA_SANS as comma-separated DNS:name or IP:address items, e.g. CERT_EXTRA_SANS=DNS:spark.lan,IP:192.168.1.20',
      );
    }
    const [type, value] = [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)];
    sans.push({ type: type as SubjectAltName['type'], value });
  }
  return sans;
}

/** A host name as a certificate's DNS name: labels of letters, digits and dashes; `*.` only in front. */
const DNS_NAME = /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** The problem with one CERT_EXTRA_SANS item (`DNS:spark.lan`, `IP:192.168.1.20`), or undefined. Pure. */
export function sanProblem(item: string): string | undefined {
  const match = /^(DNS|IP):(.*)$/.exec(item);
  if (!match) return 'it is not DNS:name or IP:address';
  const value = match[2] ?? '';
  if (match[1] === 'IP') return isIP(value) === 0 ? `"${printable(value)}" is not an IPv4 or IPv6 address` : undefined;
  if (value.length > 253 || !DNS_NAME.test(value)) return `"${printable(value)}" is not a host name (letters, digits, dashes and dots; e.g. spark.lan)`;
  return undefined;
}

/** The backup folder name certs.sh uses: `backup-YYYYMMDDTHHMMSSZ`. Pure. */
export function backupName(now: Date): string {
  return `backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** Paths of the pair under a stack root. */
export function certPaths(stackRoot: string): { certFile: string; keyFile: string } {
  return { certFile: path.join(stackRoot, CERT_FILE), keyFile: path.join(stackRoot, KEY_FILE) };
}

/**
 * Writes a new self-signed pair under `stackRoot/ssl/`. Refuses with
 * {@link CertificateExistsError} (changing nothing) when either file exists and `force` is not
 * set; with `force`, copies the old files into a fresh backup folder and replaces them, all in
 * one change set (a failure leaves the old pair and no backup).
 */
export async function generateCerts(stackRoot: string, options: CertOptions = {}): Promise<CertResult> {
  requireWritableStack(stackRoot);
  const { certFile, keyFile } = certPaths(stackRoot);
  const sslDir = path.dirname(certFile);
  const now = options.now ?? new Date();
  const sans = subjectAltNames(options.hostname ?? os.hostname(), options.extraSans);
  const existing = [certFile, keyFile].filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) throw new CertificateExistsError(existing.map((f) => path.relative(stackRoot, f)));

  // Build the pair before touching anything, so a failure leaves the old pair where it was.
  const pair = await createPair(sans, now);
  const changes: StackChange[] = [{ kind: 'mkdir', dir: SSL_DIR }];
  let backupDir: string | undefined;
  if (existing.length > 0) {
    backupDir = freshBackupDir(sslDir, now);
    changes.push({ kind: 'mkdir', dir: path.relative(stackRoot, backupDir), mode: 0o700 });
    for (const file of existing) {
      const content = await readFile(file);
      changes.push({ kind: 'write', file: path.relative(stackRoot, path.join(backupDir, path.basename(file))), content, mode: (await stat(file)).mode & 0o7777 });
    }
  }
  changes.push({ kind: 'write', file: KEY_FILE, content: pair.keyPem, mode: 0o600, forceMode: true });
  changes.push({ kind: 'write', file: CERT_FILE, content: pair.certPem, mode: 0o644, forceMode: true });
  await applyStackChanges(stackRoot, changes);
  return { certFile, keyFile, sans, notAfter: pair.notAfter, fingerprint: pair.fingerprint, backupDir };
}

/** `ssl/backup-<UTC>` or, when that exists (two renewals in one second), `…-1`, `…-2`. */
function freshBackupDir(sslDir: string, now: Date): string {
  const base = path.join(sslDir, backupName(now));
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

async function createPair(sans: readonly SubjectAltName[], now: Date): Promise<{ certPem: string; keyPem: string; notAfter: Date; fingerprint: string }> {
  // node-forge is large; load it only when a certificate is made (activation stays small).
  const forge = (await import('node-forge')).default;
  // RSA key generation in forge's pure JavaScript takes seconds; Node's native one is instant.
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = forge.pki.privateKeyFromPem(keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive 128-bit serial: the top bit cleared so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime());
  cert.validity.notAfter = new Date(now.getTime() + CERT_DAYS * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: 'Spark Gateway (self-signed)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectKeyIdentifier' },
    // GeneralName tags: 2 = dNSName, 7 = iPAddress (forge encodes IPv4 and IPv6 from `ip`).
    { name: 'subjectAltName', altNames: sans.map((s) => (s.type === 'DNS' ? { type: 2, value: s.value } : { type: 7, ip: s.value })) },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());

  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':') ?? '';
  return {
    certPem: forge.pki.certificateToPem(cert),
    // PKCS#8, as `openssl req -newkey` writes it.
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notAfter: cert.validity.notAfter,
    fingerprint,
  };
}
