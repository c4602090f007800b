import { GIB } from '../../core/planner';
import { readMemInfo } from '../../core/meminfo';
import { UsageError } from '../args';
import type { ParsedArgs } from '../args';

/** `--total-gib N` when given, else this machine's MemTotal. */
export async function totalBytesFrom(args: ParsedArgs): Promise<number> {
  const given = args.values.get('--total-gib');
  if (given === undefined) return (await readMemInfo()).totalBytes;
  const gib = Number(given);
  if (!Number.isFinite(gib) || gib <= 0) throw new UsageError(`--total-gib must be a positive number, not "${given}"`);
  return gib * GIB;
}
