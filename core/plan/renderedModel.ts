// A model file as the plan shows it in a diff: without comments and in the formatter's canonical layout, so
// a comment or a formatting-only edit never shows as a change, and a real change shows alone.

import { formatModelText } from '../format/modelFormat';
import { tokenize } from '../models/tokenizer';

export function canonicalModelText(text: string): string {
  const { comments } = tokenize(text);
  let bare = '';
  let at = 0;
  for (const c of comments) {
    bare += text.slice(at, c.start);
    at = c.end;
  }
  bare += text.slice(at);
  const formatted = formatModelText(bare);
  // A file the formatter cannot lay out (Jinja, a broken MODEL block) is compared without comments and blank lines.
  const out = formatted.ok ? formatted.text : bare;
  return out.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').join('\n') + '\n';
}
