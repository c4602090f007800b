/** Colour and cursor codes in container logs: useless in an output channel and noise in a search. */

// CSI sequences (colours, cursor moves: ESC [ ... letter), OSC sequences (titles, links:
// ESC ] ... BEL or ESC \), and two-character escapes.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Removes ANSI escape sequences from a line. Pure. */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}
