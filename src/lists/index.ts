// Public surface of the list module: parse official files, build, diff and validate snapshots.
export { parseSourceFiles, classifyFile, validateAgainstPrevious, sourceTotal, sha256Hex, type RawFile, type ParsedSource } from './parse-files.js';
export { buildSnapshot, snapshotVersion, snapshotId, countByList, mergeEntries, PARSER_VERSION, type Snapshot, type SourceMeta, type SourceFileMeta, type SourcePart } from './snapshot.js';
export { diffSnapshots, entryChanged, type SnapshotDiff } from './diff.js';
export { detectFormat, type SourceId, type FileFormat } from './detect.js';
export { snapshotStatus, type SnapshotStatus } from './status.js';
