// Reading (validated) and writing (atomic) recordings.
import { readFileSync } from 'node:fs';
import { ProfilerError } from '../errors.js';
import { assertJsonDepth, decodeJsonBytes, stripBom } from '../util/json.js';
import { writeRecordingFile } from './format.js';
import { RECORDING_FORMAT, RECORDING_VERSION, type Recording, recordingSchemas } from './schema.js';

/** Parses and validates a recording from text; `source` names it in errors. */
export function parseRecording(text: string, source: string): Recording {
  const body = stripBom(text);
  // zod validates recursively: a deeply nested document would exhaust the stack there.
  assertJsonDepth(body, source);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ProfilerError('BAD_INPUT', `${source}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { format?: unknown }).format !== RECORDING_FORMAT
  ) {
    throw new ProfilerError(
      'BAD_INPUT',
      `${source}: not a recording (expected "format": "${RECORDING_FORMAT}")`,
    );
  }
  const version = (json as { version?: unknown }).version;
  if (version !== RECORDING_VERSION) {
    throw new ProfilerError(
      'BAD_INPUT',
      `${source}: recording version ${String(version)} is not supported (this tool reads version ${RECORDING_VERSION})`,
    );
  }
  const parsed = recordingSchemas().recordingSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new ProfilerError(
      'BAD_INPUT',
      `${source}: corrupt recording at ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Reads and validates a recording file. */
export function readRecording(path: string): Recording {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ProfilerError('NO_INPUT', `cannot read recording ${path}: ${reason}`, { cause: error });
  }
  return parseRecording(decodeJsonBytes(bytes, path), path);
}

/** Writes a recording atomically (temp file + rename). */
export function writeRecording(path: string, recording: Recording): void {
  writeRecordingFile(path, recording);
}
