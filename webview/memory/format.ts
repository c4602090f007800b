/** Number formatting for labels: GiB with one decimal, as the CLI and the planner print them. */
const GIB = 1024 ** 3;

export function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
