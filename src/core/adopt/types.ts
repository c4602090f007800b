/** The shapes adopting a guide folder works with: problems found, text edits, planned changes. */

/** One thing wrong in the user's files (SPEC §9 `adopt --json`): where, what, and the fix. */
export interface AdoptProblem {
  /** Stable id of the kind of problem, e.g. `tool-parser`, `unpinned-image`. */
  readonly id: string;
  /** Path relative to the stack folder. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
  readonly fix: string;
}

/**
 * A replacement of `[start, end)` of a file's ORIGINAL text. Edits are spliced into the text the
 * user wrote, so everything they did not get an edit for (comments, folded commands, quoting,
 * their extra flags) stays byte for byte as it was.
 */
export interface TextEdit {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** What one check found: problems, and the edits that fix them (none when the fix is manual). */
export interface CheckResult {
  readonly problems: AdoptProblem[];
  readonly edits: TextEdit[];
  /** Files renamed (relative paths), e.g. `env.example` → `.env.example`. */
  readonly renames?: { from: string; to: string }[];
  /** Files created with their content (relative paths). */
  readonly creates?: { file: string; content: string }[];
}

export type ChangeAction = 'create' | 'modify' | 'rename';

/** A file adopting writes, with its new content (shown in a diff before it is applied). */
export interface PlannedChange {
  /** Path relative to the stack folder: the file as it will be named afterwards. */
  readonly file: string;
  readonly action: ChangeAction;
  /** The file it was before a rename (relative), else the same as `file`. */
  readonly from: string;
  /** Content now ('' for a file that is created). */
  readonly before: string;
  readonly after: string;
}

export function emptyResult(): CheckResult {
  return { problems: [], edits: [] };
}
