// Singer messages from the tap's stdout lines: SCHEMA, RECORD, STATE and ACTIVATE_VERSION. Records are
// grouped by stream per page of lines; the last STATE is kept to be saved with the load.

import { SluiceError } from '../../errors';
import { describeThrown, describeType, isPlainObject } from '../../ingest/extract/describe';
import type { Item, Logger } from '../../ingest/types';
import type { LinePage } from './tap';

const SHOWN_CHARS = 120;

export class MessageReader {
  private readonly schemas = new Set<string>();
  private readonly ignored = new Set<string>();
  private lastStream: string | undefined;
  /** The value of the last STATE message, if any came. */
  state: unknown;
  sawState = false;

  /** streams: the streams that are resources; records of any other stream are skipped. */
  constructor(
    private readonly streams: ReadonlySet<string>,
    private readonly log: Logger,
    private readonly mask: (text: string) => string,
  ) {}

  /** The page's records by stream, in the order the tap sent them. */
  read(page: LinePage): Map<string, Item[]> {
    const records = new Map<string, Item[]>();
    page.lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const number = page.first + i;
      const message = this.parse(line, number);
      const type = message.type;
      const stream = message.stream;
      if (type === 'STATE') {
        this.state = message.value;
        this.sawState = true;
        return;
      }
      if (type !== 'SCHEMA' && type !== 'RECORD' && type !== 'ACTIVATE_VERSION') {
        throw this.error(number, line, `unknown message type ${JSON.stringify(type)} (expected SCHEMA, RECORD, STATE or ACTIVATE_VERSION)`);
      }
      if (typeof stream !== 'string' || stream === '') throw this.error(number, line, `${type} message without a stream name`);
      this.lastStream = stream;
      if (type === 'SCHEMA') {
        if (!isPlainObject(message.schema)) throw this.error(number, line, `SCHEMA message for stream "${stream}" has no schema object`);
        this.schemas.add(stream);
      } else if (type === 'RECORD') {
        if (!this.schemas.has(stream)) throw this.error(number, line, `RECORD for stream "${stream}" before any SCHEMA message for it`);
        if (!isPlainObject(message.record)) {
          throw this.error(number, line, `RECORD for stream "${stream}" has no record object (got ${describeType(message.record)})`);
        }
        if (!this.streams.has(stream)) return this.ignore(stream);
        let list = records.get(stream);
        if (!list) records.set(stream, (list = []));
        list.push(message.record as Item);
      } else {
        // Full-table versions are not tracked: the stream's write disposition decides (replace for full tables).
        this.log.debug(`tap: ACTIVATE_VERSION ${JSON.stringify(message.version)} for stream "${stream}"`);
      }
    });
    return records;
  }

  private parse(line: string, number: number): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw this.error(number, line, `not valid JSON (${describeThrown(err)})`);
    }
    if (!isPlainObject(value)) throw this.error(number, line, `not a Singer message (a JSON object with a "type"), got ${describeType(value)}`);
    return value;
  }

  private ignore(stream: string): void {
    if (this.ignored.has(stream)) return;
    this.ignored.add(stream);
    this.log.debug(`tap: skipping records of stream "${stream}", which is not in the catalog's streams`);
  }

  /** An error naming the line, its stream (read from the line when it cannot be parsed) and its start. */
  private error(number: number, line: string, problem: string): SluiceError {
    const named = /"stream"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    const stream = named !== undefined
      ? `stream "${named}"`
      : this.lastStream !== undefined ? `stream unknown, after a message of stream "${this.lastStream}"` : 'stream unknown';
    const shown = line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS)}…` : line;
    return new SluiceError(this.mask(`line ${number} of the tap's output (${stream}): ${problem}; the line: ${shown}`));
  }
}
