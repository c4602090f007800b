/**
 * Which container a host process belongs to, from its cgroup: nvidia-smi reports GPU memory per
 * PID, and Docker names each container's cgroup after the container id (cgroup v1
 * `/docker/<id>`, v2 systemd `docker-<id>.scope`, nested `…/docker/<id>/…`).
 */
import { readFile } from 'node:fs/promises';

/** The 64-hex container id in the text of `/proc/<pid>/cgroup`, or undefined for a host process. Pure. */
export function containerIdFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const match = /(?:docker[-/]|cri-containerd-|libpod-)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(path);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** Reads the container id of a host PID; undefined when the process is gone or not in a container. */
export async function containerIdOfPid(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  try {
    return containerIdFromCgroup(await readFile(`${procRoot}/${pid}/cgroup`, 'utf8'));
  } catch {
    return undefined;
  }
}
