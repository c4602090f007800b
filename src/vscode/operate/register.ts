/**
 * The commands that operate the stack: certificates, env sync, start/stop scenario, doctor and
 * LiteLLM's admin UI. Each is a thin adapter: the work is in src/core, shared with the CLI.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CertificateExistsError, generateCerts } from '../../core/certs';
import type { CheckResult } from '../../core/checks';
import { formatCheck } from '../../core/checks';
import { liveEngine } from '../../core/compose/live-engine';
import type { DockerClient } from '../../core/docker/types';
import { runDoctor } from '../../core/doctor/doctor';
import { parseDotEnv } from '../../core/env/dotenv';
import { describeSync, syncEnv } from '../../core/env/sync';
import { readMemInfo } from '../../core/meminfo';
import { nginxPorts } from '../../core/preflight';
import type { Stack } from '../../core/stack';
import { buttonsForFix, showErrorWithFix } from './fixes';
import { downloadModelsCommand, freeDiskSpaceCommand, pullImagesCommand } from './firstStartCommands';
import type { ScenarioDeps } from './scenarioCommands';
import { requireStack, requireTrust, startScenarioCommand, stopScenarioCommand } from './scenarioCommands';

export interface OperateDeps {
  readonly stack: () => Stack | undefined;
  readonly docker: DockerClient;
  readonly log: vscode.LogOutputChannel;
}

/** Registers the operate commands; everything disposable goes to `context.subscriptions`. */
export function registerOperateCommands(context: vscode.ExtensionContext, deps: OperateDeps): void {
  const compose = vscode.window.createOutputChannel('Spark Gateway: Compose');
  const scenarioDeps: ScenarioDeps = { stack: deps.stack, engine: () => liveEngine(deps.docker), docker: deps.docker, compose, log: deps.log };
  context.subscriptions.push(
    compose,
    vscode.commands.registerCommand('sparkGateway.startScenario', (scenario?: unknown) => startScenarioCommand(scenarioDeps, scenario)),
    vscode.commands.registerCommand('sparkGateway.stopScenario', (name?: string) => stopScenarioCommand(scenarioDeps, name)),
    vscode.commands.registerCommand('sparkGateway.generateCerts', () => generateCertsCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.syncEnv', () => syncEnvCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.doctor', () => doctorCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.openAdminUi', () => openAdminUi(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.pullImages', () => pullImagesCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.downloadModels', (node?: unknown) => downloadModelsCommand(scenarioDeps, node)),
    vscode.commands.registerCommand('sparkGateway.freeDiskSpace', () => freeDiskSpaceCommand(scenarioDeps)),
  );
}

async function generateCertsCommand(deps: ScenarioDeps): Promise<void> {
  if (!(await requireTrust('Generating certificates'))) return;
  const stack = requireStack(deps);
  if (!stack) return;
  try {
    let result;
    try {
      result = await generateCerts(stack.root);
    } catch (error) {
      if (!(error instanceof CertificateExistsError)) throw error;
      // A pinned certificate replaced by accident breaks every client: ask, modally.
      const replace = await vscode.window.showWarningMessage(
        `${error.existing.join(' and ')} already exist. Replace the pair? Clients that trust the current certificate must trust the new one; the old pair is kept in ssl/backup-<timestamp>/.`,
        { modal: true },
        'Replace',
      );
      if (replace !== 'Replace') return;
      result = await generateCerts(stack.root, { force: true });
    }
    deps.log.info(`certificates: ${result.certFile} (SHA-256 ${result.fingerprint})${result.backupDir ? `; old pair in ${result.backupDir}` : ''}`);
    void vscode.window.showInformationMessage(`Wrote ssl/public.pem and ssl/private.pem (valid until ${result.notAfter.toISOString().slice(0, 10)})${result.backupDir ? `; the old pair is in ${path.relative(stack.root, result.backupDir)}/` : ''}.`);
  } catch (error) {
    await showErrorWithFix(`Cannot write the certificates: ${error instanceof Error ? error.message : String(error)}`, error, stack.root);
  }
}

async function syncEnvCommand(deps: ScenarioDeps): Promise<void> {
  if (!(await requireTrust('Syncing the environment'))) return;
  const stack = requireStack(deps);
  if (!stack) return;
  try {
    const plan = await syncEnv(stack.root);
    // describeSync masks every secret: the output channel never sees one whole.
    for (const line of describeSync(plan)) deps.log.info(`sync-env: ${line}`);
    const generated = plan.generated.length > 0 ? ` Generated ${plan.generated.map((g) => g.key).join(', ')}.` : '';
    void vscode.window.showInformationMessage(`Environment synced to ${plan.writes.length} file(s).${generated} HF_TOKEN: ${plan.hfToken ?? 'not set'}.`);
  } catch (error) {
    await showErrorWithFix(`sync-env changed nothing: ${error instanceof Error ? error.message : String(error)}`, error, stack.root);
  }
}

const ICONS: Record<CheckResult['status'], string> = { ok: '$(pass)', warn: '$(warning)', fail: '$(error)', skip: '$(circle-slash)' };

async function doctorCommand(deps: ScenarioDeps): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Spark Gateway doctor' }, () =>
    runDoctor({ stack, engine: deps.engine(), memInfo: () => readMemInfo() }),
  );
  for (const check of checks) deps.log.info(`doctor: ${formatCheck(check)}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  const items = checks.map((check) => ({
    check,
    label: `${ICONS[check.status]} ${check.title}`,
    description: check.status,
    detail: `${check.detail}${check.fix && check.status !== 'ok' ? ` — fix: ${check.fix}` : ''}`,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: `Doctor: ${failed === 0 ? 'nothing failed' : `${failed} failed`} — pick a row to apply its fix`,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!chosen?.check.fix || chosen.check.status === 'ok') return;
  await buttonsForFix(chosen.check.fix, stack.root)[0]?.run();
}

async function openAdminUi(deps: ScenarioDeps): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  const configured = vscode.workspace.getConfiguration('sparkGateway').get<string>('gatewayUrl')?.trim();
  let base = configured ? configured.replace(/\/v1\/?$/, '') : undefined;
  if (!base) {
    let env: ReadonlyMap<string, string> = new Map();
    try {
      env = parseDotEnv(readFileSync(path.join(stack.root, '.env'), 'utf8'), '.env').values;
    } catch {
      // No .env yet: the compose file's default port.
    }
    base = `https://localhost:${nginxPorts(env).https}`;
  }
  // asExternalUri maps localhost to a forwarded port over Remote-SSH, so the browser on the user's machine reaches it.
  const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${base.replace(/\/$/, '')}/ui`));
  await vscode.env.openExternal(external);
}
