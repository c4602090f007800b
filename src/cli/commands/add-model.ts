import { requireWritableStack } from '../../core/stack/discovery';
import { KV_CACHE_DTYPES } from '../../core/models/kv-cache';
import type { KvCacheDtype } from '../../core/models/kv-cache';
import { dryRunJson, proposeModel, writeProposal } from '../../core/models/propose';
import { describeProposal } from '../../core/models/working';
import { UsageError } from '../args';
import type { Command } from '../io';
import { EXIT, printJson } from '../io';
import { totalBytesFrom } from './memory-total';
import { stackHubSettings } from '../../core/hub/transport';

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${option} must be a positive whole number, not "${value}"`);
  return Number(value);
}

export const addModelCommand: Command = {
  name: 'add-model',
  summary: 'add a Hugging Face model: its memory worked out from its files, its vLLM flags, its folder, LiteLLM entry and scenario',
  usage: 'add-model <hf-repo> [--name N] [--revision R] [--max-model-len N] [--kv-cache-dtype auto|fp8] [--port P] [--total-gib N] [--dry-run] [--json]',
  flags: ['--dry-run', '--json'],
  values: ['--name', '--revision', '--max-model-len', '--kv-cache-dtype', '--port', '--total-gib'],
  async run(args, { io, stack }) {
    const repo = args.positionals[0];
    if (repo === undefined || args.positionals.length > 1) throw new UsageError('add-model takes exactly one Hugging Face repository id (owner/name)');
    const kvCacheDtype = args.values.get('--kv-cache-dtype') ?? 'auto';
    if (!KV_CACHE_DTYPES.includes(kvCacheDtype as KvCacheDtype)) throw new UsageError(`--kv-cache-dtype must be ${KV_CACHE_DTYPES.join(' or ')}, not "${kvCacheDtype}"`);
    const loaded = await stack();
    // Refuse before the Hub is read, not after: a dry run may read the bundled template, a write may not.
    if (!args.flags.has('--dry-run')) requireWritableStack(loaded);
    const settings = await stackHubSettings(loaded.root, io.env);
    const json = args.flags.has('--json');
    const proposal = await proposeModel(loaded, {
      repo,
      name: args.values.get('--name'),
      revision: args.values.get('--revision'),
      maxModelLen: wholeNumber(args.values.get('--max-model-len'), '--max-model-len'),
      kvCacheDtype: kvCacheDtype as KvCacheDtype,
      port: wholeNumber(args.values.get('--port'), '--port'),
      totalBytes: await totalBytesFrom(args),
    }, { settings, dryRun: args.flags.has('--dry-run') });
    if (json) printJson(io, dryRunJson(proposal));
    else io.out(`${describeProposal(proposal).join('\n')}\n`);
    if (args.flags.has('--dry-run')) return EXIT.ok;
    await writeProposal(loaded, proposal);
    const say = json ? (text: string) => io.err(text) : (text: string) => io.out(text);
    say(`added ${proposal.spec.name}: ${proposal.files.join(', ')}\n`);
    say(`next: spark-gateway sync-env (its .env), spark-gateway plan ${proposal.scenario.name}, spark-gateway up ${proposal.scenario.name}; restart LiteLLM to route it\n`);
    return EXIT.ok;
  },
};
