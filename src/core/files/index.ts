/**
 * The ground floor's file writers: one file atomically ({@link writeFileAtomic}), or a change set
 * of many, all or none ({@link applyStackChanges}), with one wording for why a write failed.
 */
export { writeFileAtomic } from './atomic';
export type { StackChange, StackFs } from './transaction';
export { StackWriteError, applyStackChanges, makeFolders, writeFix, writeProblem } from './transaction';
