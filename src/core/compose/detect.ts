/**
 * Which compose CLI to use: v2 (`docker compose`) whenever it works; Debian's v1
 * (`docker-compose`) only as a fallback, because v1 is end-of-life and differs in small ways.
 */
import { CancelledError } from '../process/cancellation';
import type { ComposeCli } from './commands';
import { COMPOSE_V1, COMPOSE_V2, versionCommand } from './commands';
import type { ProcessCommand, ProcessResult } from '../process/run';
import { runProcess } from '../process/run';
import { SparkError } from '../errors';

export type Run = (cmd: ProcessCommand) => Promise<ProcessResult>;

/** Finds the compose CLI; throws a {@link SparkError} with the fix when neither works. */
export async function detectCompose(run: Run = (cmd) => runProcess(cmd)): Promise<ComposeCli> {
  for (const cli of [COMPOSE_V2, COMPOSE_V1]) {
    try {
      await run(versionCommand(cli));
      return cli;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
    }
  }
  throw new SparkError('Docker Compose is not installed (neither `docker compose` nor `docker-compose` works)', 'Install the Docker Compose plugin (docker-compose-plugin) or docker-compose');
}
