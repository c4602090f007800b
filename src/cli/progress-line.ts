/**
 * The CLI's progress line: on a terminal one line redrawn in place (at most a few times a
 * second), piped a plain line now and then (every 10 % or on a new phase), so logs of a CI run
 * or `| tee` stay readable and nothing is lost when the output is not a terminal.
 */
import type { PhaseProgress } from '../core/progress/progress';
import type { CliIo } from './io';

export interface ProgressLine {
  update(progress: PhaseProgress, label?: string): void;
  /** Ends the line (a newline after a redrawn line); call before printing anything else. */
  done(): void;
}

/** A progress line on `io`'s stdout. */
export function progressLine(io: CliIo, now: () => number = () => Date.now()): ProgressLine {
  let drawn = false;
  let lastDraw = 0;
  let lastKey = '';
  let lastTenth = -1;
  return {
    update(progress, label) {
      const text = `${label ? `${label}: ` : ''}${progress.text}`;
      const percent = progress.totalBytes > 0 ? ` ${Math.floor(progress.fraction * 100)}%` : '';
      if (io.isTTY) {
        const t = now();
        if (drawn && t - lastDraw < 200 && progress.fraction < 1) return;
        lastDraw = t;
        io.out(`\r\u001b[2K  ${text}${percent}`);
        drawn = true;
        return;
      }
      const key = `${progress.phase}:${label ?? ''}`;
      const tenth = Math.floor(progress.fraction * 10);
      if (key === lastKey && tenth === lastTenth) return;
      lastKey = key;
      lastTenth = tenth;
      io.out(`  ${text}${percent}\n`);
    },
    done() {
      if (drawn) io.out('\n');
      drawn = false;
      lastKey = '';
      lastTenth = -1;
    },
  };
}
