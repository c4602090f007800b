/** scenarios.yaml texts with extra hosts, made from the bundled stack's file (for hosts tests). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STACK_DIR } from './processes';

export interface ReplicaHost {
  readonly name: string;
  readonly address: string;
}

/**
 * The bundled scenarios.yaml with `hosts` added (each reached by `ssh://root@<address>`) and one
 * scenario `replicas` that places gpt-oss-20b on every host given and qwen-30b on the first;
 * `port` replaces gpt-oss-20b's hostPort when given (tests pick a free one).
 */
export function scenariosWithHosts(hosts: readonly ReplicaHost[], options: { port?: number; alsoLocal?: boolean } = {}): string {
  let text = readFileSync(path.join(STACK_DIR, 'scenarios.yaml'), 'utf8');
  const list = hosts.map((h) => `  - name: ${h.name}\n    docker: ssh://root@${h.address}\n    address: ${h.address}\n`).join('');
  text = text.replace('\nmodels:\n', `\nhosts:\n${list}\nmodels:\n`);
  if (options.port !== undefined) text = text.replace('hostPort: 8001', `hostPort: ${options.port}`);
  const on = [...(options.alsoLocal ? ['local'] : []), ...hosts.map((h) => h.name)];
  return `${text.trimEnd()}\n
  - name: replicas
    title: "GPT-OSS-20B on every host, Qwen-30B on one"
    variant: spark
    models:
      gpt-oss-20b: { fraction: 0.25, hosts: [${on.join(', ')}] }
      qwen-30b: { fraction: 0.45, hosts: [${hosts[0]?.name ?? 'local'}] }
`;
}
