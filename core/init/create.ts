// Writes a new project from a template (templates.ts). Nothing is overwritten: when any file the template
// would write exists already, nothing is written and the error names those files.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors';
import { template, type TemplateName } from './templates';

export interface CreatedProject {
  dir: string;
  files: string[];
  next: string[];
}

export function createProject(dir: string, templateName: TemplateName): CreatedProject {
  const target = path.resolve(dir);
  const name = projectName(path.basename(target));
  const { files, next } = template(templateName, name);
  const existing = Object.keys(files).filter((file) => fs.existsSync(path.join(target, file)));
  if (existing.length > 0) {
    throw new SluiceError(`${target} already has ${existing.join(', ')}; sluice init writes only new files (choose an empty folder)`);
  }
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(target, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text, { flag: 'wx' });
  }
  return { dir: target, files: Object.keys(files), next };
}

/** A project name from a folder name: letters, digits and underscores. */
function projectName(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return name === '' ? 'project' : /^[0-9]/.test(name) ? `p_${name}` : name;
}
