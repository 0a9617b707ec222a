// File URIs ↔ paths. Requests may carry either (a URI from the editor, a path from a test or a script).

import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';

/** An absolute path for a file: URI or a path; undefined for other schemes (untitled:, git:, ...). */
export function toFilePath(uriOrPath: string): string | undefined {
  if (/^file:/i.test(uriOrPath)) {
    // Editors write Windows drive colons as %3A, which fileURLToPath does not accept.
    return path.normalize(fileURLToPath(uriOrPath.replace(/^(file:\/\/\/[A-Za-z])%3A/i, '$1:')));
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(uriOrPath) && !/^[A-Za-z]:[\\/]/.test(uriOrPath)) return undefined;
  return path.resolve(uriOrPath);
}

export function toFileUri(filePath: string): string {
  return pathToFileURL(filePath).href;
}

/** Whether file is dir itself or inside it. */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
