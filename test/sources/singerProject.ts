// A project whose source "shop" runs the Singer test tap (test/fixtures/singer/tap-shop.mjs) on shop.json.
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, type TempProject } from '../helpers/project';

export const TAP = path.join(__dirname, '..', 'fixtures', 'singer', 'tap-shop.mjs');
export const TOKEN = 'tok-9f8e7d6c5b4a';
export const ENV = { SHOP_TOKEN: TOKEN };

export function sourceModule(options: { fail?: string; extra?: string } = {}): string {
  const fail = options.fail ? `, fail: '${options.fail}'` : '';
  return `import { singerTap } from 'sluice';
export default singerTap({
  name: 'shop',
  command: ['./taps/tap-shop.mjs'],
  config: { data: 'shop.json', token: '\${secrets.SHOP_TOKEN}'${fail} },${options.extra ?? ''}
});
`;
}

export const customers = [
  // Optional keys missing, a type switch (score), nested object and list, date and date-time formats.
  { id: 1, name: 'Ada', email: 'ada@example.com', score: 1.5, vip: true, birthday: '1815-12-10', updated_at: '2024-01-01T10:00:00Z', address: { city: 'London' }, tags: ['math', 'engines'] },
  { id: 2, name: 'Grace', score: 'n/a', updated_at: '2024-01-02T10:00:00.123+02:00' },
  { id: 3, name: null, score: 7, vip: false, updated_at: '2024-01-03T00:00:00Z', tags: [] },
];
export const events = [
  { customer: 1, at: '2024-01-01T10:00:01Z', kind: 'signup', payload: { plan: 'pro' } },
  { customer: 1, at: null, kind: 'ping' },
  { customer: 2, at: '2024-01-02T08:00:00Z', kind: 'signup' },
];

export function shopProject(files: Record<string, string> = {}): TempProject {
  const p = makeProject({
    'sluice.yaml': 'name: test\nsources:\n  shop:\n    secrets: [SHOP_TOKEN]\n',
    'sources/shop.ts': sourceModule(),
    'shop.json': JSON.stringify({ customers, events }),
    ...files,
  });
  fs.mkdirSync(path.join(p.dir, 'taps'));
  fs.copyFileSync(TAP, path.join(p.dir, 'taps', 'tap-shop.mjs'));
  fs.chmodSync(path.join(p.dir, 'taps', 'tap-shop.mjs'), 0o755);
  return p;
}
