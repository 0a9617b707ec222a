// Gateways as project settings: sluice.yaml's gateways and default_gateway, SQLMesh's config.yaml gateways
// with duckdb and postgres connections, and the mistakes a user can make in them, named by file and line.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { loadProject } from '../../core/project/config';
import { chooseGateway, gatewayUrl } from '../../core/project/gateways';
import { PostgresAdapter } from '../../core/engine/postgres';
import { makeProject, type TempProject } from '../helpers/project';

describe('gateways in sluice.yaml and SQLMesh config', () => {
  const projects: TempProject[] = [];
  const make = (files: Record<string, string>, sqlmesh = false) => {
    const p = makeProject({ 'models/a.sql': 'MODEL (name s.a);\nSELECT 1 AS x\n', ...files });
    if (sqlmesh && !('sluice.yaml' in files)) fs.rmSync(path.join(p.dir, 'sluice.yaml'));
    projects.push(p);
    return p;
  };
  after(() => projects.forEach((p) => p.cleanup()));

  it('reads duckdb and postgres gateways and default_gateway; a duckdb default gateway is the warehouse', () => {
    const p = make({ 'sluice.yaml': "name: t\ngateways:\n  local: { type: duckdb, path: data/w.duckdb }\n  pg: { type: postgres, url: '${secrets.PG_URL}' }\ndefault_gateway: local\n" });
    const project = loadProject(p.dir);
    assert.deepEqual(project.gateways, {
      local: { name: 'local', type: 'duckdb', path: path.join(p.dir, 'data', 'w.duckdb') },
      pg: { name: 'pg', type: 'postgres', url: '${secrets.PG_URL}' },
    });
    assert.equal(project.defaultGateway, 'local');
    assert.equal(project.warehouse, path.join(p.dir, 'data', 'w.duckdb'));
    assert.deepEqual(chooseGateway(project), project.gateways.local);
    const pg = chooseGateway(project, 'pg');
    assert.equal(pg.type, 'postgres');
    if (pg.type === 'postgres') {
      assert.equal(gatewayUrl(pg, (name) => (name === 'PG_URL' ? 'postgres://u:secret@h/db' : undefined)), 'postgres://u:secret@h/db');
      assert.throws(() => gatewayUrl(pg, () => undefined), /gateway pg: url needs the secret PG_URL/);
    }
  });

  it('without gateways the one gateway is the warehouse file', () => {
    const project = loadProject(make({}).dir);
    assert.deepEqual(project.gateways, {});
    assert.deepEqual(chooseGateway(project), { name: 'local', type: 'duckdb', path: project.warehouse });
    assert.throws(() => chooseGateway(project, 'pg'), /there is no gateway pg; define it under gateways: in sluice.yaml/);
  });

  it('names the file, line and key of a mistake', () => {
    const bad = (yaml: string) => () => loadProject(make({ 'sluice.yaml': yaml }).dir);
    assert.throws(bad('gateways:\n  x: { type: mysql }\n'), /sluice\.yaml:2:\d+: gateways\.x\.type must be duckdb or postgres, not mysql/);
    assert.throws(bad('gateways:\n  pg: { type: postgres }\n'), /sluice\.yaml:2:\d+: gateway pg needs url/);
    assert.throws(bad('gateways:\n  pg: { type: postgres, url: x, host: h }\n'), /sluice\.yaml:2:\d+: gateways\.pg\.host is not a gateway setting/);
    assert.throws(bad('gateways:\n  pg: { type: postgres, url: x }\ndefault_gateway: other\n'), /sluice\.yaml:3:\d+: default_gateway must be one of the gateways \(pg\)/);
  });

  it("maps SQLMesh's postgres gateway to a postgres gateway, and makes it the default when it is SQLMesh's", () => {
    const p = make({
      'config.yaml': 'gateways:\n  pg:\n    connection:\n      type: postgres\n      host: db.example\n      port: 5433\n      user: ana\n      password: "p@ss"\n      database: shop\n  local:\n    connection:\n      type: duckdb\n      database: local.duckdb\ndefault_gateway: pg\n',
    }, true);
    const project = loadProject(p.dir);
    assert.deepEqual(project.gateways.pg, { name: 'pg', type: 'postgres', url: 'postgres://ana:p%40ss@db.example:5433/shop' });
    assert.deepEqual(project.gateways.local, { name: 'local', type: 'duckdb', path: path.join(p.dir, 'local.duckdb') });
    assert.equal(project.defaultGateway, 'pg');
    assert.deepEqual(project.notes, []);
    // A DuckDB default stays the warehouse, as before; the postgres gateway is there for --gateway.
    const local = loadProject(make({ 'config.yaml': 'gateways:\n  local:\n    connection:\n      type: duckdb\n      database: w.duckdb\n  pg:\n    connection:\n      type: postgres\n      host: h\n      database: d\n' }, true).dir);
    assert.equal(local.defaultGateway, undefined);
    assert.equal(local.warehouse, path.join(local.dir, 'w.duckdb'));
    assert.equal(local.gateways.pg.type, 'postgres');
  });

  it('a connection failure names the server with its password masked', async () => {
    await assert.rejects(PostgresAdapter.open('postgres://ana:hunter2@127.0.0.1:1/shop?password=hunter2'), (err: Error) => {
      assert.match(err.message, /^cannot connect to postgres:\/\/ana:\*\*\*@127\.0\.0\.1:1\/shop: /);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});
