/** `@spark /status`: the stack as text, from the service rows and, when known, their live state. */
import type { ServiceRow } from '../services';
import type { ServiceStatus } from '../state/service-state';
import { describeLoad, describeState } from '../state/service-state';

/** A Markdown list of the services, gateway first (a list: the chat view is narrow); without live state it says so. Pure. */
export function statusMarkdown(rows: readonly ServiceRow[], statuses: readonly ServiceStatus[] | undefined): string {
  const lines: string[] = [];
  for (const row of rows) {
    const status = statuses?.find((s) => s.name === row.name && s.kind === row.kind);
    const state = status ? describeState(status) : 'unknown';
    const extra = status ? (describeLoad(status) ?? (status.lastLogLine ? `\`${status.lastLogLine.slice(0, 120)}\`` : '')) : (row.hostPort ? `port ${row.hostPort}` : '');
    lines.push(`- **${row.label}** (\`${row.container}\`): ${state}${extra ? ` · ${extra}` : ''}`);
  }
  if (!statuses) lines.push('', '_Live state is not available (Docker not connected yet)._');
  return lines.join('\n');
}
