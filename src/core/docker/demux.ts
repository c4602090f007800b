/**
 * Docker multiplexes a container's stdout and stderr on one HTTP stream when the container has no
 * TTY: each frame is an 8-byte header (stream type, three zero bytes, big-endian payload length)
 * followed by the payload. Frames split across chunks arbitrarily, so this parser keeps state.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogChunk {
  readonly stream: LogStream;
  readonly data: Buffer;
}

/** Incremental frame parser; call {@link FrameDemuxer.push} with each chunk as it arrives. */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  /** Set once the stream turned out not to be multiplexed (a TTY container): pass through. */
  private raw = false;

  /** Returns the complete payloads contained in what has arrived so far. */
  push(chunk: Buffer): LogChunk[] {
    if (this.raw) return [{ stream: 'stdout', data: chunk }];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: LogChunk[] = [];
    while (this.pending.length >= 8) {
      const type = this.pending[0];
      if ((type !== 0 && type !== 1 && type !== 2) || this.pending[1] !== 0 || this.pending[2] !== 0 || this.pending[3] !== 0) {
        // Not a frame header: a TTY container's raw output. Everything from here on is raw.
        this.raw = true;
        out.push({ stream: 'stdout', data: this.pending });
        this.pending = Buffer.alloc(0);
        return out;
      }
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      out.push({ stream: type === 2 ? 'stderr' : 'stdout', data: this.pending.subarray(8, 8 + length) });
      this.pending = this.pending.subarray(8 + length);
    }
    return out;
  }
}

/**
 * Splits text arriving in pieces into lines. `\r` counts as a line end too, because vLLM's tqdm
 * progress bars redraw with carriage returns and each redraw is a progress line worth reading.
 */
export class LineSplitter {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');
  private sawCr = false;

  /** Returns the complete lines in `data` (without their line ends). */
  push(data: Buffer | string): string[] {
    let text = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
    // A "\r\n" split across two chunks must not yield an empty line.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    const parts = (this.rest + text).split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    return parts;
  }

  /** The unterminated last line, if any (call when the stream ends). */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [last];
  }
}
