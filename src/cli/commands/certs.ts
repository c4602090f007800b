import * as path from 'node:path';
import { generateCerts } from '../../core/certs';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT } from '../io';

export const certsCommand: Command = {
  name: 'certs',
  summary: 'write the self-signed ssl/public.pem + ssl/private.pem (refuses to overwrite without --force)',
  usage: 'certs [--force]',
  flags: ['--force'],
  values: [],
  async run(args, { io, stackRoot }) {
    if (args.positionals.length > 0) throw new UsageError('certs takes no arguments');
    const root = stackRoot();
    const result = await generateCerts(root, { force: args.flags.has('--force'), extraSans: io.env.CERT_EXTRA_SANS });
    const rel = (f: string) => path.relative(root, f);
    if (result.backupDir) io.out(`Kept the previous certificate and key in ${rel(result.backupDir)}/\n`);
    io.out(`Wrote ${rel(result.certFile)} (valid until ${result.notAfter.toISOString().slice(0, 10)}) and ${rel(result.keyFile)} (mode 600).\n`);
    io.out(`Names: ${result.sans.map((s) => `${s.type}:${s.value}`).join(',')}\n`);
    io.out(`Fingerprint: ${result.fingerprint}\n`);
    return EXIT.ok;
  },
};
