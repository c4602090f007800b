/** `@spark /status`: the stack as text, from the service rows and, when known, their live state. */
import { SparkError } from '../errors';
import { gib } from '../planner';
import type { HostRows, ServiceRow } from '../stack/services';
import type { HostState } from '../state/hosts-state';
import type { ServiceStatus } from '../state/service-state';
import { describeLoad, describeState } from '../state/service-state';

/** A Markdown list of the services, gateway first (a list: the chat view is narrow); without live state it says so. Pure. */
export function statusMarkdown(rows: readonly ServiceRow[], statuses: readonly ServiceStatus[] | undefined, host?: string): string {
  const lines: string[] = [];
  for (const row of rows) {
    const status = statuses?.find((s) => s.name === row.name && s.kind === row.kind && (host === undefined || s.host === undefined || s.host === host));
    const state = status ? describeState(status) : 'unknown';
    const extra = status ? (describeLoad(status) ?? (status.lastLogLine ? `\`${status.lastLogLine.slice(0, 120)}\`` : '')) : (row.hostPort ? `port ${row.hostPort}` : '');
    lines.push(`- **${row.label}** (\`${row.container}\`): ${state}${extra ? ` · ${extra}` : ''}`);
  }
  if (!statuses) lines.push('', '_Live state is not available (Docker not connected yet)._');
  return lines.join('\n');
}

/**
 * `/status` of a stack with several hosts: a heading per host (how it is reached, its memory, or
 * that it cannot be reached, with the fix), then its services; with one host exactly
 * {@link statusMarkdown}. Pure.
 */
export function hostsStatusMarkdown(layout: readonly HostRows[], statuses: readonly ServiceStatus[] | undefined, hosts: readonly HostState[]): string {
  const main = layout.find((h) => h.host.main);
  if (layout.length <= 1) return statusMarkdown(main?.rows ?? [], statuses);
  return layout.map(({ host, rows }) => {
    const state = hosts.find((h) => h.name === host.name);
    const reach = host.main ? 'this machine, runs the gateway' : [host.docker, host.address].filter(Boolean).join(' · ');
    const memory = state?.info ? ` · ${gib(state.info.memTotalBytes)}` : '';
    const conn = state?.connection;
    if (conn?.status === 'unreachable') {
      const fix = conn.error instanceof SparkError && conn.error.fix ? ` — ${conn.error.fix}` : '';
      return `#### ${host.name} (${reach})\n\n**Unreachable:** ${conn.error.message}${fix}`;
    }
    const body = rows.length > 0 ? statusMarkdown(rows, state?.synced ? statuses : undefined, host.name) : '_No scenario places a model on this host._';
    return `#### ${host.name} (${reach}${memory})\n\n${body}`;
  }).join('\n\n');
}
