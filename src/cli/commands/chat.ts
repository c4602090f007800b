/**
 * `spark-gateway chat <model> <prompt>`: one question to a gateway model, the answer streamed to
 * stdout as it arrives. Ctrl-C aborts the HTTP request (the model server sees the disconnect).
 */
import { CancelledError } from '../../core/process/cancellation';
import { GatewayClient } from '../../core/gateway/client';
import type { GatewayConfig } from '../../core/gateway/config';
import { resolveGatewayConfig } from '../../core/gateway/config';
import { UsageError } from '../args';
import type { CommandContext } from '../io';
import type { Command } from '../io';
import { EXIT } from '../io';

/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
const EXIT_INTERRUPTED = 130;

/** The stack is only needed for what was not given; a missing stack is fine when everything was. */
async function gatewayConfig(values: ReadonlyMap<string, string>, ctx: CommandContext): Promise<GatewayConfig> {
  const url = values.get('--gateway-url');
  const key = values.get('--key') ?? ctx.io.env.SPARK_GATEWAY_KEY;
  const caFile = values.get('--ca');
  let stackRoot: string | undefined;
  try {
    stackRoot = (await ctx.stack()).root;
  } catch (error) {
    if (!key) throw error;
  }
  return resolveGatewayConfig({ ...(stackRoot ? { stackRoot } : {}), ...(url ? { url } : {}), ...(key ? { key } : {}), ...(caFile ? { caFile } : {}) });
}

export const chatCommand: Command = {
  name: 'chat',
  summary: 'ask a gateway model; the answer streams to stdout, its reasoning to stderr (Ctrl-C stops it)',
  usage: 'chat <model> <prompt> [--gateway-url URL] [--key KEY] [--ca FILE] [--max-tokens N]',
  flags: [],
  values: ['--gateway-url', '--key', '--ca', '--max-tokens'],
  async run(args, ctx) {
    const [model, ...words] = args.positionals;
    const prompt = words.join(' ').trim();
    if (!model || !prompt) throw new UsageError('chat takes a model and a prompt, e.g. chat gpt-oss-20b "Hello"');
    const maxTokensText = args.values.get('--max-tokens');
    const maxTokens = maxTokensText === undefined ? undefined : Number(maxTokensText);
    if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0)) throw new UsageError('--max-tokens needs a positive whole number');

    const client = new GatewayClient(await gatewayConfig(args.values, ctx));
    const abort = new AbortController();
    const onInterrupt = () => abort.abort();
    process.once('SIGINT', onInterrupt);
    let endsWithNewline = true;
    // What a reasoning model thinks goes to stderr, marked, so stdout holds only the answer (and a
    // model that only thought within --max-tokens still shows something).
    let thinking = false;
    const endThinking = () => {
      if (thinking) ctx.io.err('\n');
      thinking = false;
    };
    try {
      for await (const event of client.chat({ model, messages: [{ role: 'user', content: prompt }], ...(maxTokens ? { maxTokens } : {}) }, abort.signal)) {
        if (event.type === 'reasoning') {
          if (!thinking) ctx.io.err('[thinking] ');
          thinking = true;
          ctx.io.err(event.text);
          continue;
        }
        if (event.type === 'text' || event.type === 'toolCall') endThinking();
        if (event.type === 'text') {
          ctx.io.out(event.text);
          endsWithNewline = event.text.endsWith('\n');
        } else if (event.type === 'toolCall') {
          ctx.io.out(`\n[tool call] ${event.call.name} ${event.call.rawArguments}\n`);
          endsWithNewline = true;
        }
      }
      endThinking();
      if (!endsWithNewline) ctx.io.out('\n');
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
      if (!endsWithNewline) ctx.io.out('\n');
      ctx.io.err('spark-gateway: chat cancelled\n');
      return EXIT_INTERRUPTED;
    } finally {
      process.off('SIGINT', onInterrupt);
      client.dispose();
    }
  },
};
