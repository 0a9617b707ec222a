// Health settings: durations, sluice.yaml (per source and resource, errors with line and column), the
// freshness MODEL property, and SLUICE_NOW.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowMs, parseTime } from '../../core/clock';
import { formatModelText } from '../../core/format/modelFormat';
import { durationSetting, formatDuration, parseDuration } from '../../core/health/settings';
import { loadProject } from '../../core/project/config';
import { definitionOf, errors, parse, warnings } from '../models/helpers';

const H = 3_600_000;

describe('health settings', () => {
  it('reads durations such as 30m, 6h, 1d12h, and nothing else', () => {
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration('6h'), 6 * H);
    assert.equal(parseDuration(' 1d12h '), 36 * H);
    assert.equal(parseDuration('6 h'), 6 * H);
    assert.equal(parseDuration('1.5h'), 1.5 * H);
    assert.equal(parseDuration('2w'), 14 * 24 * H);
    for (const bad of ['', '6', 'h', '6x', '-1h', '0h', '6h later', '1h-2m']) assert.equal(parseDuration(bad), undefined, bad);
    assert.deepEqual([6 * H, 24 * H, 48 * H, 72 * H, 7 * 24 * H, 45 * 60_000, 90_000].map(durationSetting), ['6h', '24h', '48h', '3d', '1w', '45m', '90s']);
    assert.deepEqual([5_000, 35 * 60_000, 3.25 * H, 50 * H].map(formatDuration), ['5 s', '35 min', '3.3 h', '2.1 d']);
  });

  describe('in sluice.yaml', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-settings-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const load = (yaml: string) => {
      fs.writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
      return loadProject(dir);
    };
    const fails = (yaml: string, message: RegExp) => {
      fs.writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
      assert.throws(() => loadProject(dir), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(path.join(dir, 'sluice.yaml')), err.message);
        return true;
      });
    };

    it('keeps freshness, owner, tags and volume_anomaly per source, and per resource next to its toggle', () => {
      const project = load(`sources:
  shop:
    owner: sales-data
    tags: [customer_facing]
    freshness: { warn_after: 6h, error_after: 24h }
    resources:
      customers: true
      orders:
        enabled: false
        freshness: { error_after: 2h }
        volume_anomaly: low
      items: { tags: internal }
`);
      const shop = project.sources.shop;
      assert.deepEqual(shop.resources, { customers: true, orders: false });
      assert.deepEqual(shop.health, { freshness: { warnAfterMs: 6 * H, errorAfterMs: 24 * H }, owner: 'sales-data', tags: ['customer_facing'] });
      assert.deepEqual(shop.resourceHealth, {
        orders: { freshness: { errorAfterMs: 2 * H }, volumeAnomaly: 'low' },
        items: { tags: ['internal'] },
      });
    });

    it('names the file, line, column and field of a bad setting', () => {
      fails('sources:\n  shop:\n    freshness:\n      warn_after: soon\n', /sluice\.yaml:4:19: sources\.shop\.freshness\.warn_after must be a duration such as 30m, 6h or 1d; found "soon"$/);
      fails('sources:\n  shop:\n    freshness: { warn_after: 6 }\n', /:3:30: sources\.shop\.freshness\.warn_after must be a duration .* found 6$/);
      fails('sources:\n  shop:\n    freshness: { warn_after: 1d, error_after: 6h }\n', /:3:16: sources\.shop\.freshness: warn_after \(24h\) must not be longer than error_after \(6h\)$/);
      fails('sources:\n  shop:\n    freshness: { stale_after: 1h }\n', /:3:18: sources\.shop\.freshness\.stale_after is not a freshness setting; use warn_after and error_after$/);
      fails('sources:\n  shop:\n    freshness: 6h\n', /:3:16: sources\.shop\.freshness must be a mapping such as \{ warn_after: 6h, error_after: 24h \}$/);
      fails('sources:\n  shop:\n    freshnes: { warn_after: 6h }\n', /:3:5: sources\.shop\.freshnes is not a source setting; use one of resources, contract, config, secrets, freshness, owner, tags, volume_anomaly$/);
      fails('sources:\n  shop:\n    tags: [a, 3]\n', /:3:11: sources\.shop\.tags must be a list of names/);
      fails('sources:\n  shop:\n    owner: [a]\n', /:3:12: sources\.shop\.owner must be a name/);
      fails('sources:\n  shop:\n    resources:\n      orders: { enabled: yes please }\n', /:4:26: sources\.shop\.resources\.orders\.enabled must be true or false$/);
      fails('sources:\n  shop:\n    resources:\n      orders: { freshness: { warn_after: 1h }, color: red }\n', /:4:48: sources\.shop\.resources\.orders\.color is not a resource setting/);
      fails('sources:\n  shop:\n    resources:\n      orders: maybe\n', /:4:15: sources\.shop\.resources\.orders must be true or false, or a mapping of settings/);
      fails('sources:\n  shop:\n    volume_anomaly: down\n', /:3:21: sources\.shop\.volume_anomaly must be one of both, low, high, off; found "down"$/);
    });
  });

  describe('in the MODEL block', () => {
    it('reads freshness with durations written bare or quoted, with := or =', () => {
      const d = definitionOf(`MODEL (name a.b, kind FULL, owner finance, tags (customer_facing), freshness (warn_after := 6h, error_after = '1d12h'));\nSELECT 1 AS x`);
      assert.deepEqual(d.freshness, { warnAfterMs: 6 * H, errorAfterMs: 36 * H });
      assert.equal(d.owner, 'finance');
      assert.deepEqual(d.tags, ['customer_facing']);
      assert.deepEqual(warnings(parse(`MODEL (name a.b, freshness (error_after := 2h));\nSELECT 1 AS x`)), []);
    });

    it('reports what is wrong with it where it is written', () => {
      const problems = (header: string) => errors(parse(`MODEL (name a.b, ${header});\nSELECT 1 AS x`));
      assert.deepEqual(problems('freshness 6h'), ["1:28 error freshness must be written like freshness (warn_after := 6h, error_after := 24h), found 6h"]);
      assert.deepEqual(problems('freshness (warn_after := soon)'), ['1:43 error warn_after must be a duration such as 30m, 6h or 1d; found soon']);
      assert.deepEqual(problems('freshness (stale := 1h)'), ['1:29 error freshness takes warn_after and error_after, e.g. freshness (warn_after := 6h, error_after := 24h); found stale := 1h']);
      assert.deepEqual(problems('freshness (warn_after := 2d, error_after := 1d)'), ['1:28 error freshness: warn_after (48h) must not be longer than error_after (24h)']);
      // A missing comma before it is seen, as for any other property.
      assert.match(problems("owner x freshness (warn_after := 1h)").join('\n'), /missing "," before 'freshness'/);
    });

    it('survives the formatter', () => {
      const text = 'MODEL (name a.b, kind FULL, freshness (warn_after := 6h, error_after := 24h));\nSELECT 1 AS x\n';
      const formatted = formatModelText(text);
      assert.ok(formatted.ok && formatted.changed, 'the one-line header is laid out');
      assert.match(formatted.text, /\n {2}freshness \(warn_after := 6h, error_after := 24h\)\n/);
      assert.deepEqual(definitionOf(formatted.text).freshness, { warnAfterMs: 6 * H, errorAfterMs: 24 * H });
    });
  });

  describe('SLUICE_NOW', () => {
    const saved = process.env.SLUICE_NOW;
    afterEach(() => (saved === undefined ? delete process.env.SLUICE_NOW : (process.env.SLUICE_NOW = saved)));

    it('moves the clock to a time, which then runs on', async () => {
      process.env.SLUICE_NOW = '2030-01-02T03:04:05Z';
      const first = nowMs();
      assert.ok(Math.abs(first - Date.parse('2030-01-02T03:04:05Z')) < 1000, new Date(first).toISOString());
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.ok(nowMs() - first >= 25, 'the moved clock runs');
      delete process.env.SLUICE_NOW;
      assert.ok(Math.abs(nowMs() - Date.now()) < 5);
    });

    it('refuses what is not an ISO time, saying where it came from', () => {
      process.env.SLUICE_NOW = 'tomorrow';
      assert.throws(() => nowMs(), /SLUICE_NOW must be an ISO time such as 2026-12-04T09:30:00Z, found "tomorrow"/);
      assert.equal(parseTime('2026-12-04', '--now'), Date.parse('2026-12-04T00:00:00Z'));
      assert.throws(() => parseTime('12/04/2026', '--now'), /--now must be an ISO time/);
    });
  });
});
