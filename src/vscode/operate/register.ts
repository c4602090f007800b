/**
 * The commands that operate the stack: certificates, env sync, start/stop scenario, doctor and
 * LiteLLM's admin UI. Each is a thin adapter: the work is in src/core, shared with the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CertificateExistsError, certPaths, generateCerts } from '../../core/certs';
import { explainUnavailable } from '../../core/chat/unavailable';
import type { CheckResult } from '../../core/checks';
import { formatCheck } from '../../core/checks';
import { liveEngine } from '../../core/compose/live-engine';
import type { DockerClient } from '../../core/docker/types';
import { runDoctor } from '../../core/doctor/doctor';
import type { HostToCheck } from '../../core/doctor/hosts';
import { hostsToCheck } from '../../core/doctor/hosts';
import { readStackEnvSync } from '../../core/stack/env';
import { describeSync, syncEnv } from '../../core/sync-env';
import { readMemInfo } from '../../core/meminfo';
import { httpsRequest } from '../../core/lifecycle/gateway-check';

import type { Stack } from '../../core/stack/discovery';
import { hostClients, stackHostEngines } from '../../core/state/hosts-state';
import type { ServiceStatus } from '../../core/state/service-state';
import { downloadModelsCommand, freeDiskSpaceCommand, pullImagesCommand } from './firstStartCommands';
import { buttonsForFix, fixRunsCommand, showErrorWithFix } from './fixes';
import type { ScenarioDeps } from './scenarioCommands';
import { requireStack, requireTrust, startScenarioCommand, stopScenarioCommand } from './scenarioCommands';
import { readSetting } from '../settings';
import { LITELLM_PORT, nginxPorts } from '../../core/stack/layout';

export interface OperateDeps {
  readonly stack: () => Stack | undefined;
  readonly docker: DockerClient;
  readonly log: vscode.LogOutputChannel;
  /** Live service states, when the state model has synced. */
  readonly statuses?: () => readonly ServiceStatus[] | undefined;
  /** The Docker client the window's state models hold for a host (the doctor checks each host on it). */
  readonly clientOf?: (host: string) => DockerClient | undefined;
}

/** Registers the operate commands; everything disposable goes to `context.subscriptions`. */
export function registerOperateCommands(context: vscode.ExtensionContext, deps: OperateDeps): void {
  const compose = vscode.window.createOutputChannel('Spark Gateway: Compose');
  const scenarioDeps: ScenarioDeps = { stack: deps.stack, engine: () => liveEngine(deps.docker), docker: deps.docker, compose, log: deps.log, ...(deps.statuses ? { statuses: deps.statuses } : {}) };
  const newClient = hostClients(deps.docker);
  const hosts = (stack: Stack) => hostsToCheck(stack, stackHostEngines(stack, deps.docker.endpoint), (engine) => deps.clientOf?.(engine.name) ?? newClient(engine));
  context.subscriptions.push(
    compose,
    vscode.commands.registerCommand('sparkGateway.startScenario', (scenario?: unknown, preset?: unknown) => startScenarioCommand(scenarioDeps, scenario, preset)),
    vscode.commands.registerCommand('sparkGateway.stopScenario', (name?: string) => stopScenarioCommand(scenarioDeps, name)),
    vscode.commands.registerCommand('sparkGateway.generateCerts', () => generateCertsCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.syncEnv', () => syncEnvCommand(scenarioDeps)),
    vscode.commands.registerCommand('sparkGateway.doctor', () => doctorCommand(scenarioDeps, hosts)),
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

async function doctorCommand(deps: ScenarioDeps, hosts: (stack: Stack) => HostToCheck[]): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Spark Gateway doctor' }, () =>
    runDoctor({ stack, engine: deps.engine(), memInfo: () => readMemInfo(), hosts: hosts(stack) }),
  );
  for (const check of checks) deps.log.info(`doctor: ${formatCheck(check)}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  // Each fix is the extension's own command (a button on the row, or Enter): nothing to type in a terminal.
  const items = checks.map((check) => {
    const fixes = check.fix && check.status !== 'ok' ? buttonsForFix(check.fix, stack.root) : [];
    const runs = fixes.length > 0 && check.fix !== undefined && fixRunsCommand(check.fix, stack.root);
    return {
      check,
      fixes,
      label: `${ICONS[check.status]} ${check.title}`,
      description: runs ? `${check.status} — fix: ${fixes.map((f) => f.title).join(' / ')}` : check.status,
      detail: `${check.detail}${check.fix && check.status !== 'ok' && !runs ? ` — fix: ${check.fix}` : ''}`,
      buttons: runs ? fixes.map((f, i) => ({ iconPath: new vscode.ThemeIcon(i === 0 ? 'wrench' : 'go-to-file'), tooltip: f.title })) : [],
    };
  });
  const quickPick = vscode.window.createQuickPick<(typeof items)[number]>();
  quickPick.title = `Doctor: ${failed === 0 ? 'nothing failed' : `${failed} failed`} — Enter or a row's button applies its fix`;
  quickPick.items = items;
  quickPick.matchOnDetail = true;
  quickPick.ignoreFocusOut = true;
  const chosen = await new Promise<{ run(): Thenable<unknown> } | undefined>((resolve) => {
    quickPick.onDidTriggerItemButton((e) => resolve(e.item.fixes.find((f) => f.title === e.button.tooltip)));
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.fixes[0]));
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  await chosen?.run();
}

/**
 * Opens LiteLLM's admin UI through NGINX over HTTPS, after checking the gateway answers there
 * (trusting the stack's own certificate). `asExternalUri` maps localhost for Remote-SSH (a TCP
 * tunnel: HTTPS passes through). A forwarder that proxies plain HTTP instead (code-server's
 * `/proxy/<port>/`) would send plain HTTP to the HTTPS port ("400 The plain HTTP request was sent
 * to HTTPS port"); then LiteLLM's own HTTP port is forwarded, which such a proxy carries.
 */
async function openAdminUi(deps: ScenarioDeps): Promise<void> {
  const stack = requireStack(deps);
  if (!stack) return;
  // The user's URL only (machine-scoped; in Restricted Mode never a folder's): this opens a browser on it.
  const configured = readSetting('gatewayUrl');
  let base = configured ? configured.replace(/\/v1\/?$/, '') : undefined;
  if (!base) {
    let env: ReadonlyMap<string, string> = new Map();
    try {
      env = readStackEnvSync(stack.root);
    } catch {
      // A malformed .env (start and doctor name its line): the compose file's default port.
    }
    base = `https://localhost:${nginxPorts(env).https}`;
  }
  base = base.replace(/\/$/, '');
  const problem = await gatewayProblem(base, stack.root);
  if (problem) {
    const why = explainUnavailable(stack.scenarios, undefined, deps.statuses?.(), 'down');
    const start = why.reason === 'gateway-down'
      ? { title: 'Start the gateway', run: () => vscode.commands.executeCommand('sparkGateway.startScenario', why.scenario, { modelsOnly: false }) }
      : { title: 'Start Scenario…', run: () => vscode.commands.executeCommand('sparkGateway.startScenario') };
    await showErrorWithFix(`The LiteLLM admin UI is not reachable: ${problem}.`, undefined, stack.root, [start, { title: 'Run Doctor', run: () => vscode.commands.executeCommand('sparkGateway.doctor') }]);
    return;
  }
  const target = vscode.Uri.parse(`${base}/ui`);
  let external = await vscode.env.asExternalUri(target);
  // A TCP tunnel (Remote-SSH) keeps the scheme and the path; a proxy under a path prefix speaks plain HTTP to the port.
  if (target.scheme === 'https' && (external.scheme !== 'https' || external.path !== target.path)) {
    deps.log.info(`admin UI: ${target.toString()} is forwarded as ${external.toString()} (a plain-HTTP proxy); opening LiteLLM's own port ${LITELLM_PORT} instead`);
    external = await vscode.env.asExternalUri(vscode.Uri.parse(`http://localhost:${LITELLM_PORT}/ui`));
  }
  deps.log.info(`admin UI: opening ${external.toString()}`);
  await vscode.env.openExternal(external);
}

/** Why `<base>/health` does not answer over HTTPS with the stack's certificate, or undefined when it does. */
async function gatewayProblem(base: string, stackRoot: string): Promise<string | undefined> {
  if (!base.startsWith('https:')) return undefined;
  const { certFile } = certPaths(stackRoot);
  if (!existsSync(certFile)) return `${path.relative(stackRoot, certFile)} is missing, so NGINX cannot serve HTTPS`;
  try {
    const answer = await httpsRequest(`${base}/health`, readFileSync(certFile), { timeoutMs: 5000 });
    return answer.status === 502 ? `${base} answers 502: NGINX runs but LiteLLM does not` : undefined;
  } catch (error) {
    return `nothing answers at ${base} (${error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.message : String(error)})`;
  }
}
