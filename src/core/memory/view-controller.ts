/**
 * The host side of the memory view without VS Code in it, so its one promise — about one update
 * a second while the view is visible, and no work at all while it is hidden — is unit-tested
 * with a fake timer. The VS Code adapter (src/vscode/memory/) only forwards visibility changes
 * and messages here and posts what this hands it.
 */
import type { HostMessage, MemoryViewModel, WebviewMessage } from './messages';

/** The timer functions the controller uses; tests pass a fake one. */
export interface IntervalTimer {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimer: IntervalTimer = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export interface MemoryViewControllerOptions {
  /** Reads the memory picture (the expensive part: /proc, Docker, nvidia-smi, /metrics). */
  readonly load: () => Promise<MemoryViewModel>;
  readonly post: (message: HostMessage) => void;
  readonly timer?: IntervalTimer;
  readonly periodMs?: number;
}

export class MemoryViewController {
  private visible = false;
  /** The webview's script has said `ready` since it was last shown. */
  private ready = false;
  private handle: unknown;
  private loading = false;
  private disposed = false;
  private readonly timer: IntervalTimer;
  private readonly periodMs: number;

  constructor(private readonly options: MemoryViewControllerOptions) {
    this.timer = options.timer ?? realTimer;
    this.periodMs = options.periodMs ?? 1000;
  }

  /** The view was shown or hidden. Hidden stops the timer; shown waits for the webview's `ready`. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    // The webview's context is discarded while hidden (retainContextWhenHidden: false), so a new
    // script instance will say `ready` again when it is shown.
    if (!visible) this.ready = false;
    this.reschedule();
  }

  /** A message from the webview. */
  receive(message: WebviewMessage): void {
    if (message.type === 'ready') {
      this.ready = true;
      this.reschedule();
    }
    if (this.active) void this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private get active(): boolean {
    return this.visible && this.ready && !this.disposed;
  }

  private reschedule(): void {
    if (!this.active) {
      this.stop();
    } else if (this.handle === undefined) {
      this.handle = this.timer.setInterval(() => void this.refresh(), this.periodMs);
    }
  }

  private stop(): void {
    if (this.handle === undefined) return;
    this.timer.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** One load and post; skipped while the previous one still runs so slow sources never pile up. */
  private async refresh(): Promise<void> {
    if (!this.active || this.loading) return;
    this.loading = true;
    try {
      const view = await this.options.load();
      if (this.active) this.options.post({ type: 'update', view });
    } catch (error) {
      if (this.active) this.options.post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    } finally {
      this.loading = false;
    }
  }
}
