/** A bounded log buffer: the newest `maxLines` lines, older ones dropped, so a chatty container cannot eat memory. */
export class LogBuffer {
  private readonly ring: string[] = [];
  private start = 0;
  private chars = 0;
  private dropped = 0;

  constructor(readonly maxLines = 5000) {
    if (maxLines < 1) throw new RangeError('maxLines must be at least 1');
  }

  /** Appends a line, dropping the oldest when full. */
  push(line: string): void {
    if (this.ring.length < this.maxLines) {
      this.ring.push(line);
    } else {
      this.chars -= (this.ring[this.start] as string).length;
      this.ring[this.start] = line;
      this.start = (this.start + 1) % this.maxLines;
      this.dropped++;
    }
    this.chars += line.length;
  }

  /** The lines held, oldest first. */
  lines(): string[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  /** Lines held now. */
  get size(): number {
    return this.ring.length;
  }

  /** Characters held now (UTF-16 code units; ~2 bytes each in V8's worst case). */
  get heldChars(): number {
    return this.chars;
  }

  /** Lines dropped since creation because the buffer was full. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Lines containing `text` (case-insensitive), oldest first. */
  filter(text: string): string[] {
    const needle = text.toLowerCase();
    return this.lines().filter((l) => l.toLowerCase().includes(needle));
  }
}
