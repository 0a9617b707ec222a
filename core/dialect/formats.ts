// strftime formats (DuckDB) as PostgreSQL/Snowflake TO_CHAR patterns or BigQuery FORMAT_TIMESTAMP formats.
// A specifier a target cannot print the same way is refused rather than approximated.

type Target = 'postgres' | 'bigquery' | 'snowflake';

// null: the target has no equivalent.
const SPECIFIERS: Record<string, Record<Target, string | null>> = {
  Y: { postgres: 'YYYY', bigquery: '%Y', snowflake: 'YYYY' },
  y: { postgres: 'YY', bigquery: '%y', snowflake: 'YY' },
  m: { postgres: 'MM', bigquery: '%m', snowflake: 'MM' },
  d: { postgres: 'DD', bigquery: '%d', snowflake: 'DD' },
  H: { postgres: 'HH24', bigquery: '%H', snowflake: 'HH24' },
  I: { postgres: 'HH12', bigquery: '%I', snowflake: 'HH12' },
  M: { postgres: 'MI', bigquery: '%M', snowflake: 'MI' },
  S: { postgres: 'SS', bigquery: '%S', snowflake: 'SS' },
  f: { postgres: 'US', bigquery: null, snowflake: 'FF6' },
  p: { postgres: 'AM', bigquery: '%p', snowflake: 'AM' },
  j: { postgres: 'DDD', bigquery: '%j', snowflake: null },
  b: { postgres: 'Mon', bigquery: '%b', snowflake: 'MON' },
  B: { postgres: 'FMMonth', bigquery: '%B', snowflake: 'MMMM' },
  a: { postgres: 'Dy', bigquery: '%a', snowflake: 'DY' },
  A: { postgres: 'FMDay', bigquery: '%A', snowflake: null },
  F: { postgres: 'YYYY-MM-DD', bigquery: '%F', snowflake: 'YYYY-MM-DD' },
  T: { postgres: 'HH24:MI:SS', bigquery: '%T', snowflake: 'HH24:MI:SS' },
  '-d': { postgres: 'FMDD', bigquery: null, snowflake: null },
  '-m': { postgres: 'FMMM', bigquery: null, snowflake: null },
  '%': { postgres: '%', bigquery: '%%', snowflake: '%' },
};

export function strftimeFormat(format: string, target: Target): { format: string } | { refused: string } {
  let out = '';
  let literal = '';
  const flush = () => {
    if (literal === '') return;
    // TO_CHAR reads letters as pattern words; quoted, they print as written.
    out += target === 'bigquery' || !/[A-Za-z]/.test(literal) ? literal : `"${literal.replace(/"/g, '\\"')}"`;
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      literal += target === 'bigquery' && c === '%' ? '%%' : c;
      continue;
    }
    const key = format[i + 1] === '-' ? format.slice(i + 1, i + 3) : format[i + 1];
    const mapped = SPECIFIERS[key]?.[target];
    if (mapped === undefined || mapped === null) return { refused: `strftime format %${key ?? ''} has no equivalent on ${target === 'postgres' ? 'PostgreSQL' : target === 'bigquery' ? 'BigQuery' : 'Snowflake'}` };
    i += key.length;
    if (key === '%' && target !== 'bigquery') {
      literal += '%';
      continue;
    }
    flush();
    out += mapped;
  }
  flush();
  return { format: out };
}

export type FormatConversion = { format: string } | { refused: string };

/**
 * A date pattern made of letter words (TO_CHAR's YYYY-MM-DD, Java's yyyy-MM-dd) as a DuckDB strftime
 * format. `words` are tried longest first; text inside `quote` is printed as is, and a doubled quote is the
 * quote itself. With `wholeRuns`, a word matches only a whole run of its letter (Java: `yyy` is not `yy`+`y`).
 */
export function wordPatternToStrftime(
  pattern: string,
  words: readonly (readonly [string, string])[],
  options: { quote: string; ignoreCase?: boolean; wholeRuns?: boolean },
): FormatConversion {
  const sorted = [...words].sort((x, y) => y[0].length - x[0].length);
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === options.quote) {
      const end = pattern.indexOf(options.quote, i + 1);
      if (end < 0) return { refused: 'the format has an unclosed quote' };
      out += end === i + 1 ? options.quote : pattern.slice(i + 1, end).replace(/%/g, '%%');
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c === '%' ? '%%' : c;
      i++;
      continue;
    }
    const rest = options.ignoreCase ? pattern.slice(i).toUpperCase() : pattern.slice(i);
    const match = sorted.find(([word]) => rest.startsWith(options.ignoreCase ? word.toUpperCase() : word) && !(options.wholeRuns && rest[word.length] === c));
    if (!match) return { refused: `format element '${pattern.slice(i, i + 4)}' has no DuckDB strftime equivalent` };
    out += match[1];
    i += match[0].length;
  }
  return { format: out };
}

/**
 * The other way: a TO_CHAR / TO_DATE pattern of PostgreSQL or Snowflake as a DuckDB strftime format, read
 * with the table above, letters in any case. "quoted text" is printed as is.
 */
export function patternToStrftime(pattern: string, source: 'postgres' | 'snowflake'): FormatConversion {
  const words = Object.entries(SPECIFIERS)
    .filter(([key, to]) => !['%', 'F', 'T'].includes(key) && to[source] !== null) // F and T are composites DuckDB lacks
    .map(([key, to]) => [to[source]!, `%${key}`] as const);
  return wordPatternToStrftime(pattern, words, { quote: '"', ignoreCase: true });
}

/** A `%`-specifier format (MySQL's, BigQuery's) as DuckDB's: `convert` gives each specifier's strftime text. */
export function percentFormatToStrftime(format: string, convert: (spec: string) => string | undefined): FormatConversion {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      out += format[i];
      continue;
    }
    const spec = format[++i];
    const mapped = spec === undefined ? undefined : convert(spec);
    if (!mapped) return { refused: `format specifier %${spec ?? ''} has no DuckDB strftime equivalent` };
    out += mapped;
  }
  return { format: out };
}
