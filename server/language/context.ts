// The state a language feature works on for one model file: its project and the prepared model the file
// defines, as last analysed. Requests never wait for another file's analysis, and wait for their own file's
// only when they must: while the analysis of the newest text is still running, a request on a name that did
// not change is answered from the previous analysis (positions mapped through a TextShift), which is
// stale for a moment but never points at the wrong text.

import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Location, Position, Range } from 'vscode-languageserver/node';
import type { ModelProject } from '../../core/dag';
import type { PreparedModel } from '../../core/dag/prepare';
import { preparedModelOfFile } from '../models/modelFile';
import type { ModelIndex } from '../models/modelIndex';
import type { ProjectEntry } from '../workspace/projects';
import { toFilePath, toFileUri } from '../workspace/uri';
import type { DescribeContext } from './describe';
import { Locator } from './locations';
import { TextShift } from './textShift';

export interface ModelFileContext extends DescribeContext {
  file: string;
  entry: ProjectEntry;
  project: ModelProject;
  /** Undefined when the file defines no model (no usable MODEL block, or disabled). */
  prepared?: PreparedModel;
  /** The file's text as analysed: positions given to and returned by features refer to it. */
  document: TextDocument;
  /** From the analysed text to the editor's text at the time of the request. */
  shift: TextShift;
}

/** The editor's text of a document as a request found it (the document object itself changes in place). */
interface Snapshot {
  uri: string;
  text: string;
  version: number;
}

function snapshotOf(document: TextDocument): Snapshot {
  return { uri: document.uri, text: document.getText(), version: document.version };
}

/**
 * The file's context as analysed, without waiting for an analysis of newer text: for completion, which reads
 * the editor's text itself, and for CodeLens, whose ranges are mapped (or dropped) through ctx.shift.
 */
export async function latestContext(models: ModelIndex, document: TextDocument | undefined): Promise<ModelFileContext | undefined> {
  return document ? analysedContext(models, snapshotOf(document)) : undefined;
}

/**
 * The context for a request at `position` (in the editor's text), and that position in the context's
 * document; undefined when the file is not a model file or a newer edit made the request moot.
 */
export async function contextAt(
  models: ModelIndex,
  document: TextDocument | undefined,
  position: Position,
): Promise<{ ctx: ModelFileContext; position: Position } | undefined> {
  if (!document) return undefined;
  const editor = snapshotOf(document);
  const offset = document.offsetAt(position);
  const stale = await analysedContext(models, editor);
  if (!stale) return undefined;
  const mapped = stale.shift.toAnalysed(offset);
  if (mapped !== undefined) return { ctx: stale, position: stale.document.positionAt(mapped) };
  // The name at the position changed: only the analysis of this very text can answer.
  const fresh = await freshContext(models, stale.file, editor);
  return fresh ? { ctx: fresh, position } : undefined;
}

/** The context for the whole file as of the editor's current text (waiting for its analysis). */
export async function currentContext(models: ModelIndex, document: TextDocument | undefined): Promise<ModelFileContext | undefined> {
  if (!document) return undefined;
  const editor = snapshotOf(document);
  const stale = await analysedContext(models, editor);
  if (!stale || stale.shift.identical) return stale;
  return freshContext(models, stale.file, editor);
}

async function analysedContext(models: ModelIndex, editor: Snapshot): Promise<ModelFileContext | undefined> {
  await models.ready();
  const file = toFilePath(editor.uri);
  if (!file || !models.isModelFile(file)) return undefined;
  const found = await models.projectForFile(file);
  if (!found) return undefined;
  // A file the project has not seen (just created, or the load is older than the editor): analyse it once.
  if (!found.project.preparedFile(file)) await models.setText(file, editor.text, editor.version);
  return contextOf(models, found, file, editor);
}

/** Analyses the editor's text of the file (if not yet) and gives its context; undefined if a newer text won. */
async function freshContext(models: ModelIndex, file: string, editor: Snapshot): Promise<ModelFileContext | undefined> {
  await models.setText(file, editor.text, editor.version);
  const found = await models.projectForFile(file);
  const fresh = found ? contextOf(models, found, file, editor) : undefined;
  return fresh?.shift.identical ? fresh : undefined;
}

/** A range of the context's document in the editor's text, or undefined when the edit since touched it. */
export function toCurrentRange(ctx: ModelFileContext, range: Range): Range | undefined {
  return shiftRange(ctx.shift, range);
}

/**
 * Locations found in the analysis, in the editors' texts: those in open model files whose newest text is
 * still being analysed are moved past the edit, or dropped when it touched them.
 */
export function toCurrentLocations(ctx: ModelFileContext, locations: readonly Location[], open: (uri: string) => TextDocument | undefined): Location[] {
  const shifts = new Map<string, TextShift | undefined>([[ctx.document.uri, ctx.shift]]);
  const out: Location[] = [];
  for (const location of locations) {
    if (!shifts.has(location.uri)) {
      const file = toFilePath(location.uri);
      const analysed = file ? ctx.project.preparedFile(file) : undefined;
      const editor = open(location.uri);
      shifts.set(location.uri, analysed && editor ? new TextShift(analysed.text, editor.getText()) : undefined);
    }
    const shift = shifts.get(location.uri);
    const range = shift ? shiftRange(shift, location.range) : location.range;
    if (range) out.push({ uri: location.uri, range });
  }
  return out;
}

function shiftRange(shift: TextShift, range: Range): Range | undefined {
  if (shift.identical) return range;
  const { analysed, current } = documentsOf(shift);
  const span = shift.toCurrent({ start: analysed.offsetAt(range.start), end: analysed.offsetAt(range.end) });
  return span ? { start: current.positionAt(span.start), end: current.positionAt(span.end) } : undefined;
}

/** Both texts of a shift as documents (for their line index), built once. */
const shiftDocuments = new WeakMap<TextShift, { analysed: TextDocument; current: TextDocument }>();
function documentsOf(shift: TextShift): { analysed: TextDocument; current: TextDocument } {
  let docs = shiftDocuments.get(shift);
  if (!docs) {
    docs = { analysed: TextDocument.create('', 'sql', 0, shift.analysed), current: TextDocument.create('', 'sql', 0, shift.current) };
    shiftDocuments.set(shift, docs);
  }
  return docs;
}

function contextOf(models: ModelIndex, found: { entry: ProjectEntry; project: ModelProject }, file: string, editor: Snapshot): ModelFileContext | undefined {
  const analysed = found.project.preparedFile(file);
  if (!analysed) return undefined;
  const edits = analysed.text === editor.text ? [] : models.editsSinceAnalysed(file, editor.uri, analysed.text, editor.version);
  return {
    file,
    entry: found.entry,
    project: found.project,
    prepared: preparedModelOfFile(found.project, file),
    document: TextDocument.create(editor.uri, 'sql', 0, analysed.text),
    shift: new TextShift(analysed.text, editor.text, edits),
    locator: new Locator(found.project, found.entry.info.dir),
    toUri: toFileUri,
  };
}
