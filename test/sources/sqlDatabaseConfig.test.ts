// sqlDatabase() config checks and credentials, before any connection: each problem is one line naming the key.
import { strict as assert } from 'node:assert';
import { sqlDatabase } from '../../core/index';
import { resolveCredentials } from '../../core/sources/sqlDatabase/credentials';

const base = { name: 'shop', credentials: '${secrets.DB}' };

function problem(config: unknown): string {
  try {
    sqlDatabase(config as Parameters<typeof sqlDatabase>[0]);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('sqlDatabase config', () => {
  it('lists named tables as resources before any connection, and none when every table is wanted', () => {
    assert.deepEqual(sqlDatabase({ ...base, tables: ['orders', 'Order Items'] }).resources.map((r) => r.name), ['orders', 'Order Items']);
    assert.deepEqual(sqlDatabase(base).resources, []);
  });

  it('names the key of each problem', () => {
    assert.equal(problem({ ...base, name: '' }), 'sqlDatabase(): needs a name (a non-empty string), got ""');
    assert.equal(problem({ ...base, chunkSize: 5 }), 'source "shop": unknown key "chunkSize" in the config (did you mean "chunk_size"?)');
    assert.equal(problem({ ...base, credentials: 42 }), "source \"shop\": credentials must be a connection URL or '${secrets.NAME}', got number");
    assert.equal(problem({ ...base, tables: [] }), 'source "shop": tables must be a non-empty list of table names, got array');
    assert.equal(problem({ ...base, tables: ['a', 'a'] }), 'source "shop": tables lists "a" twice');
    assert.equal(problem({ ...base, chunk_size: 0 }), 'source "shop": chunk_size must be a whole number > 0, got 0');
    assert.equal(
      problem({ ...base, write_disposition: 'merge' }),
      'source "shop": write_disposition must be "append" or "replace" (tables with a primary key are merged), got "merge"',
    );
    assert.equal(
      problem({ ...base, tables: ['orders'], incremental: { order: { cursor: 'updated_at' } } }),
      'source "shop": incremental.order names a table that is not in tables (orders)',
    );
    assert.equal(
      problem({ ...base, incremental: { orders: { cursor: 'updated_at', initialValue: 1 } } }),
      'source "shop": unknown key "initialValue" in incremental.orders (did you mean "initial_value"?)',
    );
    assert.equal(problem({ ...base, incremental: { orders: {} } }), 'source "shop": incremental.orders.cursor must name a column, got undefined');
  });
});

describe('sqlDatabase credentials', () => {
  it('reads secrets, picks the driver by scheme and masks the password', () => {
    const pg = resolveCredentials('shop', '${secrets.DB}', { DB: 'postgres://loader:p%40ss@db:5432/shop?sslmode=require' });
    assert.deepEqual(
      { driver: pg.driver, shown: pg.shown, database: pg.database },
      { driver: 'postgres', shown: 'postgres://loader:***@db:5432/shop', database: 'shop' },
    );
    const maria = resolveCredentials('shop', 'mariadb://root:${secrets.PW}@127.0.0.1/app', { PW: 'x' });
    assert.deepEqual({ driver: maria.driver, url: maria.url, shown: maria.shown }, { driver: 'mysql', url: 'mysql://root:x@127.0.0.1/app', shown: 'mariadb://root:***@127.0.0.1/app' });
  });

  it('fails without showing the text it could not read', () => {
    assert.throws(() => resolveCredentials('shop', '${secrets.DB}', {}), /^SluiceError: source "shop": credentials read secret DB, which is not set/);
    assert.throws(
      () => resolveCredentials('shop', '${secrets.DB}', { DB: 'not a url hunter2' }),
      (err: Error) => err.message === 'source "shop": credentials are not a URL like postgres://user:password@host:5432/database',
    );
    assert.throws(() => resolveCredentials('shop', 'sqlserver://db/x', {}), /scheme "sqlserver:" is not postgres:\/\/ or mysql:\/\//);
  });
});
