// Who holds the warehouse file, without opening it: DuckDB's writer keeps a POSIX write lock on the database
// file, and Linux lists every such lock in /proc/locks (device, inode, pid). Reading that file never gets in
// the way of a writer, unlike a probe that opens the database. Elsewhere the answer is "unknown".

import { promises as fs } from 'node:fs';

export type LockHolder = { pid: number; command?: string } | 'none' | 'unknown';

/** The process (other than this one) holding a write lock on `file`, 'none', or 'unknown' where the system does not say. */
export async function lockHolder(file: string, locksText?: string): Promise<LockHolder> {
  let stat: { dev: number; ino: number };
  try {
    stat = await fs.stat(file);
  } catch {
    return 'none'; // no file, no lock
  }
  let text = locksText;
  if (text === undefined) {
    try {
      text = await fs.readFile('/proc/locks', 'utf8');
    } catch {
      return 'unknown';
    }
  }
  const pid = writerOf(text, stat.dev, stat.ino);
  if (pid === undefined || pid === process.pid) return 'none';
  return { pid, command: await commandOf(pid) };
}

/** The pid of a POSIX write lock on the device and inode, from /proc/locks lines such as `1: POSIX  ADVISORY  WRITE 20163 fe:00:2146473 0 EOF`. */
export function writerOf(locks: string, dev: number, ino: number): number | undefined {
  const major = Number((BigInt(dev) >> 8n) & 0xfffn) | Number((BigInt(dev) >> 32n) & ~0xfffn);
  const minor = Number(BigInt(dev) & 0xffn) | Number((BigInt(dev) >> 12n) & ~0xffn);
  for (const line of locks.split('\n')) {
    const m = /^\d+:\s+POSIX\s+\S+\s+WRITE\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/i.exec(line);
    if (m && parseInt(m[2], 16) === major && parseInt(m[3], 16) === minor && Number(m[4]) === ino) return Number(m[1]);
  }
  return undefined;
}

/** "sluice ingest shop" for a Sluice CLI, else the program's name; undefined when it cannot be read. */
async function commandOf(pid: number): Promise<string | undefined> {
  try {
    const args = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    const cli = args.findIndex((a) => /(^|[\\/])(sluice|cli\.js)$/.test(a));
    if (cli >= 0) return ['sluice', ...args.slice(cli + 1).filter((a) => !a.startsWith('-')).slice(0, 2)].join(' ');
    return args[0]?.split(/[\\/]/).pop();
  } catch {
    return undefined;
  }
}
