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
