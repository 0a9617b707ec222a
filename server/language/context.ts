// The state a language feature works on for one model file: its project, analysed with the editor's
// current text (an edit not yet checked is applied first), and the prepared model the file defines.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ModelProject } from '../../core/dag';
import type { PreparedModel } from '../../core/dag/prepare';
import { preparedModelOfFile } from '../models/modelFile';
import type { ModelIndex } from '../models/modelIndex';
import type { ProjectEntry } from '../workspace/projects';
import { toFilePath, toFileUri } from '../workspace/uri';
import type { DescribeContext } from './describe';
import { Locator } from './locations';

export interface ModelFileContext extends DescribeContext {
  file: string;
  entry: ProjectEntry;
  project: ModelProject;
  /** Undefined when the file defines no model (no usable MODEL block, or disabled). */
  prepared?: PreparedModel;
  document: TextDocument;
}

export async function modelFileContext(models: ModelIndex, document: TextDocument | undefined): Promise<ModelFileContext | undefined> {
  if (!document) return undefined;
  await models.ready();
  const file = toFilePath(document.uri);
  if (!file || !models.isModelFile(file)) return undefined;
  await models.setText(file, document.getText());
  const found = await models.projectForFile(file);
  if (!found) return undefined;
  return {
    file,
    entry: found.entry,
    project: found.project,
    prepared: preparedModelOfFile(found.project, file),
    document,
    locator: new Locator(found.project, found.entry.info.dir),
    toUri: toFileUri,
  };
}
