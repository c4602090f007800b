/**
 * The estimate's working as text, the same for the CLI and the VS Code preview: each figure, the
 * config fields it came from and its formula, so a user can check it by hand.
 */
import { gib } from '../planner';
import type { ModelProposal } from './propose';

/**
 * Lines of Markdown (also readable as plain text) describing a proposal; `beside` (the live
 * verdict, when the caller read the memory) follows "Fits alone". Pure.
 */
export function describeProposal(p: ModelProposal, beside: readonly string[] = []): string[] {
  const e = p.estimate;
  const kv = e.kv;
  const lines = [
    `# ${p.spec.name} ← ${p.repo}@${p.revision}${p.revision === p.sha ? '' : ` (${p.sha.slice(0, 12)})`}${p.fromCache ? ' (from the stack\'s Hub cache)' : ''}`,
    '',
    `- **Architecture**: ${p.architecture} (served by the stack's vLLM)`,
    `- **Weights**: ${gib(e.weights.value)} = ${e.weights.value} B — ${e.weights.formula}`,
    `- **Context**: ${e.context.value} tokens — ${e.context.formula}${e.context.note ? ` (${e.context.note})` : ''}`,
    `- **KV cache dtype**: ${kv.dtype} — ${kv.bytesPerElement.formula}${kv.bytesPerElement.note ? ` (${kv.bytesPerElement.note})` : ''}`,
    ...(kv.headDim ? [`- **head_dim**: ${kv.headDim.value} — ${kv.headDim.formula}`] : []),
    ...kv.groups.map((g) => `  - ${g.kind}: ${g.bytesPerRequest} B per request — ${g.formula}`),
    `- **KV bytes per token**: ${kv.bytesPerToken.value} — ${kv.bytesPerToken.formula}`,
    `- **Overhead**: ${gib(e.overhead.value)} — ${e.overhead.formula}`,
    `- **Least memory to start**: ${gib(e.need.value)} — ${e.need.formula}`,
    `- **Memory fraction**: ${e.fraction.value} (${gib(e.fraction.value * e.totalBytes)} of ${gib(e.totalBytes)}) for ${e.concurrency} concurrent ${e.context.value}-token request(s) — ${e.fraction.formula}${e.fraction.note ? ` (${e.fraction.note})` : ''}`,
    `- **Fits alone**: ${p.plan.fits ? 'yes' : 'no'} — budget ${gib(p.plan.budgetBytes)}, KV room ${gib(p.plan.kvBudgetBytes)} ≥ one request ${gib(p.plan.minKvBytes)}; ${gib(e.reserveBytes)} stays reserved`,
    ...beside,
    '',
    '## vLLM flags',
    '',
    `- tool calls: ${p.flags.toolCallParser ? `\`--enable-auto-tool-choice --tool-call-parser ${p.flags.toolCallParser}\`` : 'none (no automatic tool choice)'}${p.flags.family ? ` (family ${p.flags.family})` : ''}`,
    `- reasoning: ${p.flags.reasoningParser ? `\`--reasoning-parser ${p.flags.reasoningParser}\`` : 'none'}`,
    `- remote code: ${p.flags.trustRemoteCode ? '`--trust-remote-code`' : 'no'}`,
    ...p.flags.notes.map((n) => `- note: ${n}`),
    '',
    '## Files',
    '',
    ...p.files.map((f) => `- ${f}`),
    `- scenario \`${p.scenario.name}\`: ${p.spec.name} at ${p.scenario.fraction}; port 127.0.0.1:${p.spec.hostPort}; ${p.spec.memoryEnv}`,
  ];
  return lines;
}
