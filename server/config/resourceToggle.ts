// Switching a resource on or off in sluice.yaml (sources.<source>.resources.<resource>: true/false, or its
// `enabled` key when the resource is a mapping of settings). The file is edited through the yaml package's
// Document API, so comments, order and formatting survive; flipping a toggle that is already there rewrites
// just its value.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { SluiceError } from '../../core/errors';
import { PROJECT_FILE } from '../../core/project/config';

/** The new text of sluice.yaml with the toggle set; changed is false when it already said so. */
export function setResourceToggle(text: string, source: string, resource: string, enabled: boolean): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new SluiceError(`${PROJECT_FILE} cannot be edited while it has errors: ${doc.errors[0].message.split('\n')[0]}`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new SluiceError(`${PROJECT_FILE}: expected a mapping at the top level`);
  let at = ['sources', source, 'resources', resource];
  // A resource with settings of its own (freshness, owner, ...) keeps them: its `enabled` key is the toggle.
  if (isMap(doc.getIn(at, true))) at = [...at, 'enabled'];
  if (doc.getIn(at) === enabled) return { text, changed: false };
  // An existing toggle: only its value's text changes, so the rest of the file stays byte for byte.
  const existing = doc.getIn(at, true);
  if (isScalar(existing) && typeof existing.value === 'boolean' && existing.range) {
    const [start, end] = existing.range;
    return { text: `${text.slice(0, start)}${enabled}${text.slice(end)}`, changed: true };
  }
  // A source or resources key written as null (`shop:` with nothing after it) becomes a mapping.
  for (let depth = 1; depth < at.length; depth++) {
    const value = doc.getIn(at.slice(0, depth), true);
    if (value !== undefined && !isMap(value) && (value as { value?: unknown }).value !== null) {
      throw new SluiceError(`${PROJECT_FILE}: ${at.slice(0, depth).join('.')} must be a mapping to hold resource toggles`);
    }
    if (value !== undefined && !isMap(value)) doc.setIn(at.slice(0, depth), doc.createNode({}));
  }
  doc.setIn(at, enabled);
  return { text: doc.toString({ flowCollectionPadding: false }), changed: true };
}

export async function writeResourceToggle(projectDir: string, source: string, resource: string, enabled: boolean): Promise<boolean> {
  if (!/^[\w.-]+$/.test(source) || resource.length === 0) throw new SluiceError(`not a source and resource name: ${source}.${resource}`);
  const file = path.join(projectDir, PROJECT_FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new SluiceError(`cannot read ${file}`);
  });
  const next = setResourceToggle(text, source, resource, enabled);
  if (next.changed) await fs.writeFile(file, next.text);
  return next.changed;
}
