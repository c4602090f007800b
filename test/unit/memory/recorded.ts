/**
 * Small recorded outputs, shaped like the real tools print them: a DGX Spark (GB10, 128 GB
 * unified memory: per-GPU memory is `[N/A]`, per-process works) and an H100 server (two 80 GB
 * GPUs that report their own memory). Values are trimmed to what the parsers read.
 */
export const GB10_MEMINFO = `MemTotal:       128452756 kB
MemFree:        20000000 kB
MemAvailable:   45000000 kB
Buffers:          120000 kB
Cached:         30000000 kB
SwapCached:            0 kB
Active:         50000000 kB
Shmem:            300000 kB
`;

export const GB10_GPU_QUERY = '0, [N/A], [N/A]\n';
/** Older drivers spell it out; the parser must take both. */
export const GB10_GPU_QUERY_NOT_SUPPORTED = '0, [Not Supported], [Not Supported]\n';
export const GB10_APPS_QUERY = '4242, 20480\n4343, 38912\n';

export const H100_MEMINFO = `MemTotal:       2113287448 kB
MemFree:        1900000000 kB
MemAvailable:   2050000000 kB
Buffers:          500000 kB
Cached:         120000000 kB
`;

export const H100_GPU_QUERY = '0, 65536, 81559\n1, 4, 81559\n';
export const H100_APPS_QUERY = '5151, 65000\n';

export const NO_PROCESSES = 'No running processes found\n';

export const CONTAINER_A = 'a'.repeat(64);
export const CONTAINER_B = 'b'.repeat(64);

/** `/proc/<pid>/cgroup` on cgroup v1 (Debian's docker.io here) and v2 with systemd. */
export const CGROUP_V1 = `12:memory:/docker/${CONTAINER_A}\n11:pids:/docker/${CONTAINER_A}\n0::/\n`;
export const CGROUP_V2 = `0::/system.slice/docker-${CONTAINER_B}.scope\n`;
export const CGROUP_HOST = '0::/user.slice/user-1000.slice/session-2.scope\n';
