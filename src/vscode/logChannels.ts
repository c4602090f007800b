/**
 * One output channel per container, following its log across restarts (the core's follower).
 * An output channel because it is searchable (Ctrl+F), copyable, colour-free text, and stays open
 * when the container restarts — unlike a terminal. Memory is bounded: the core buffer keeps the
 * newest lines, and the channel is rewritten from it whenever it grew by a buffer's worth.
 */
import * as vscode from 'vscode';
import type { DockerClient } from '../core/docker/types';
import { LogBuffer } from '../core/logs/buffer';
import { followLogs } from '../core/logs/follower';

const MAX_LINES = 5000;
/** Lines of history shown when a log is opened. */
const INITIAL_TAIL = 1000;
/** Appends are batched: one IPC message per flush instead of one per line. */
const FLUSH_MS = 100;
/** A container that logs nothing still gets its channel shown after this long. */
const REVEAL_MS = 1000;

interface Tail {
  readonly channel: vscode.OutputChannel;
  readonly buffer: LogBuffer;
  readonly stop: AbortController;
  pending: string[];
  sinceRewrite: number;
  timer?: NodeJS.Timeout;
  /** The channel was shown (with its history in, so it opens on the newest line). */
  revealed: boolean;
  revealTimer?: NodeJS.Timeout;
}

export class LogChannels implements vscode.Disposable {
  private readonly tails = new Map<string, Tail>();

  constructor(private readonly docker: DockerClient) {}

  /** Shows the container's log channel, creating it and starting to follow on first use. */
  open(container: string): void {
    const existing = this.tails.get(container);
    if (existing) {
      existing.channel.show(true);
      return;
    }
    const channel = vscode.window.createOutputChannel(`Spark Gateway: ${container}`, 'log');
    const tail: Tail = { channel, buffer: new LogBuffer(MAX_LINES), stop: new AbortController(), pending: [], sinceRewrite: 0, revealed: false };
    this.tails.set(container, tail);
    // Shown once the history is in (or after a moment for a silent container): a channel shown
    // while empty keeps its view at the top when the history arrives, away from the newest line.
    tail.revealTimer = setTimeout(() => this.reveal(tail), REVEAL_MS);
    void this.follow(container, tail);
  }

  private async follow(container: string, tail: Tail): Promise<void> {
    const lines = followLogs(this.docker, container, {
      follow: true,
      tail: INITIAL_TAIL,
      signal: tail.stop.signal,
      onNotice: (text) => this.append(tail, `──── ${text} ────`),
    });
    try {
      for await (const line of lines) this.append(tail, line.text);
    } catch (error) {
      this.append(tail, `──── stopped following: ${error instanceof Error ? error.message : String(error)} ────`);
    }
  }

  private append(tail: Tail, text: string): void {
    tail.buffer.push(text);
    tail.pending.push(text);
    tail.timer ??= setTimeout(() => this.flush(tail), FLUSH_MS);
  }

  private flush(tail: Tail): void {
    tail.timer = undefined;
    if (tail.stop.signal.aborted || tail.pending.length === 0) return;
    tail.sinceRewrite += tail.pending.length;
    if (tail.sinceRewrite >= MAX_LINES) {
      // The channel would otherwise grow without end on a chatty server: keep only the buffer.
      tail.channel.replace(`${tail.buffer.lines().join('\n')}\n`);
      tail.sinceRewrite = 0;
    } else {
      tail.channel.append(`${tail.pending.join('\n')}\n`);
    }
    tail.pending = [];
    this.reveal(tail);
  }

  private reveal(tail: Tail): void {
    if (tail.revealed) return;
    tail.revealed = true;
    clearTimeout(tail.revealTimer);
    tail.channel.show(true);
  }

  dispose(): void {
    for (const tail of this.tails.values()) {
      tail.stop.abort();
      clearTimeout(tail.timer);
      clearTimeout(tail.revealTimer);
      tail.channel.dispose();
    }
    this.tails.clear();
  }
}
