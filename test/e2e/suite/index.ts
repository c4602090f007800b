/**
 * The in-host test runner: VS Code's extension host loads this module (the `extensionTestsPath`)
 * and awaits `run()`. It runs every `*.test.js` next to it with mocha, in the real extension host,
 * and writes the results as JSON to `SPARK_E2E_RESULTS` (the extension host's stdout does not
 * reach the process that started code-server), so test/e2e/run-e2e.mjs can print them.
 * The same runner serves desktop runs through @vscode/test-electron (test/e2e/run-desktop.mjs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestOutcome {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly durationMs?: number;
  readonly error?: string;
}

export interface SuiteResults {
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  readonly tests: readonly TestOutcome[];
  /** Set when the runner itself broke (no test file, a file that does not load). */
  readonly error?: string;
}

function resultsFile(): string {
  return process.env['SPARK_E2E_RESULTS'] ?? path.resolve(__dirname, '..', '..', '..', '..', '.e2e', 'in-host-results.json');
}

function writeResults(results: SuiteResults): void {
  const file = resultsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  fs.renameSync(`${file}.tmp`, file); // the reader never sees half a file
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env['SPARK_E2E_GREP'];
  if (grep) mocha.grep(grep);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  const tests: TestOutcome[] = [];
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      writeResults({ passed: 0, failed: 1, pending: 0, tests, error: describeError(error) });
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    if (files.length === 0) {
      fail(new Error(`no *.test.js files in ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        const count = (state: TestOutcome['state']): number => tests.filter((t) => t.state === state).length;
        writeResults({ passed: count('passed'), failed: count('failed'), pending: count('pending'), tests });
        if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
        else resolve();
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
      // 'fail' also fires for hooks (before/after): they count as failures with the hook's title.
      runner.on('fail', (test, error) => tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, error: describeError(error) }));
    } catch (error) {
      fail(error);
    }
  });
}
