// Before planning for PostgreSQL every model must be one Sluice can run there: each that is not is an error
// at its place in its file (rendering refusals at the construct, SCD type 2 kinds at the model's name).

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { dialectDiagnostics } from '../../core/engine/check';
import { closeSqlParser } from '../../core/sql/duckdbParser';

describe('engine: models checked for the gateway\'s dialect before planning', () => {
  after(() => closeSqlParser());

  it('reports what PostgreSQL cannot run at its position, and nothing for DuckDB', async () => {
    const project = await ModelProject.fromTexts('/virtual/project', [
      { file: 'models/ok.sql', text: 'MODEL (name s.ok, kind FULL);\n\nSELECT 1 AS id, CAST(now() AS DATE) AS day\n' },
      { file: 'models/series.sql', text: 'MODEL (name s.series, kind FULL);\n\nSELECT i\nFROM range(3) AS t(i)\n' },
      { file: 'models/months.sql', text: "MODEL (\n  name s.months,\n  kind INCREMENTAL_BY_PARTITION,\n  partitioned_by date_trunc('month', day)\n);\n\nSELECT day FROM s.ok\n" },
      { file: 'models/by_id.sql', text: 'MODEL (\n  name s.by_id,\n  kind INCREMENTAL_BY_PARTITION,\n  partitioned_by id\n);\n\nSELECT id FROM s.ok\n' },
      { file: 'models/history.sql', text: 'MODEL (\n  name s.history,\n  kind SCD_TYPE_2_BY_TIME (unique_key id)\n);\n\nSELECT id, CAST(now() AS TIMESTAMP) AS updated_at FROM s.ok\n' },
    ]);
    const problems = await dialectDiagnostics(project, 'postgres');
    const shown = problems.map((d) => `${d.model} ${d.file.split('/').pop()}:${d.start.line}: ${d.message}`).sort();
    assert.equal(shown.length, 3, shown.join('\n'));
    assert.match(shown[0], /^s\.history history\.sql:2: SCD_TYPE_2_BY_TIME models run on DuckDB only so far$/);
    assert.match(shown[1], /^s\.months months\.sql:4: partitioned_by date_trunc\('month', day\) is an expression; on this gateway Sluice replaces partitions by columns only$/);
    assert.match(shown[2], /^s\.series series\.sql:4: .*range/);
    assert.deepEqual(await dialectDiagnostics(project, 'duckdb'), []);
  });
});
