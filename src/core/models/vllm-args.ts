/**
 * Checks `vllm serve` command lines with vLLM's own argument parser and validation, in a venv
 * holding the vLLM wheel of the image's version. A flag the pinned vLLM does not know makes a
 * container crash-loop under `restart: unless-stopped`; this finds it before anything starts.
 * Nothing here lists vLLM's flags: the parser, its choices and the parser registries are vLLM's.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Cancellation } from '../process/cancellation';
import { runProcess } from '../process/run';
import { SparkError } from '../errors';

/** Where provisioning installs the vLLM wheel of `version` (scripts/provision-vllm.sh). */
export function vllmVenvPath(version: string, base = process.env.SPARK_VLLM_VENV_BASE ?? '/opt/spark-gateway'): string {
  return path.join(base, `vllm-${version}`);
}

/** vLLM's verdict on one command line: accepted, or its own error text. */
export type ServeArgsVerdict = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * The check, in Python inside the venv. The platform is set to vLLM's CPU platform (as
 * `vllm bench` does on a machine without a GPU) so the wheel imports; then, per command line,
 * the `vllm serve` parser is built as vllm/entrypoints/cli/main.py builds it and the checks run
 * that vLLM runs before it loads a model: ServeSubcommand.validate (validate_parsed_serve_args),
 * the API server's validate_api_server_args (tool-call and reasoning parsers against vLLM's
 * registries; the reasoning parser moved into structured_outputs_config first, as
 * EngineArgs.create_engine_config does) and EngineArgs.from_cli_args.
 */
const CHECK_SCRIPT = String.raw`
import contextlib, io, json, sys
from vllm import platforms
if platforms.current_platform.is_unspecified():
    from vllm.platforms.cpu import CpuPlatform
    platforms.current_platform = CpuPlatform()
from vllm.utils.argparse_utils import FlexibleArgumentParser
from vllm.entrypoints.cli.serve import ServeSubcommand
from vllm.entrypoints.launchers.launcher import validate_api_server_args
from vllm.engine.arg_utils import AsyncEngineArgs

def check(argv):
    parser = FlexibleArgumentParser(prog="vllm")
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    serve = ServeSubcommand()
    serve.subparser_init(subparsers)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            args = parser.parse_args(["serve", *argv])
        serve.validate(args)
        args.structured_outputs_config.reasoning_parser = args.reasoning_parser or ""
        validate_api_server_args(args)
        AsyncEngineArgs.from_cli_args(args)
        return {"ok": True}
    except SystemExit:
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        return {"ok": False, "error": lines[-1] if lines else "refused by the argument parser"}
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}

print("SPARK_RESULT " + json.dumps([check(argv) for argv in json.loads(sys.argv[1])]))
`;

/**
 * Asks the vLLM in `venv` about each command line (the arguments after `vllm serve`, starting
 * with the model). One Python start for all of them: importing vLLM takes 10–30 s.
 * Throws a {@link SparkError} when the venv is missing or the check itself cannot run.
 * Usage: `const [verdict] = await checkServeArgs(vllmVenvPath('0.31.0'), [serveArgs(model, 'spark', '0.25')])`.
 */
export async function checkServeArgs(venv: string, commandLines: readonly (readonly string[])[], options: { cancellation?: Cancellation } = {}): Promise<ServeArgsVerdict[]> {
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(python)) throw new SparkError(`no vLLM venv at ${venv}`, 'Run scripts/provision-vllm.sh (as root) to install the vLLM wheel of the pinned images');
  const result = await runProcess(
    { command: python, args: ['-c', CHECK_SCRIPT, JSON.stringify(commandLines)], env: { VLLM_LOGGING_LEVEL: 'ERROR', VLLM_CONFIGURE_LOGGING: '0', PYTHONWARNINGS: 'ignore' } },
    { cancellation: options.cancellation },
  );
  const line = result.stdout.split('\n').find((l) => l.startsWith('SPARK_RESULT '));
  if (!line) throw new SparkError(`the vLLM argument check in ${venv} printed no result: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(line.slice('SPARK_RESULT '.length)) as ServeArgsVerdict[];
}
