// What time it is, for every command. SLUICE_NOW (an ISO time) moves the clock: it starts at that time when
// the process first asks and runs on from there, so durations stay real while "now" is somewhere else. Tests
// and rehearsals use it to make a load look old or a cron interval due without editing any table.

import { SluiceError } from './errors';

let shift: { setting: string; offsetMs: number } | undefined;

/** The current time in ms, moved by SLUICE_NOW when it is set. */
export function nowMs(): number {
  const setting = process.env.SLUICE_NOW?.trim();
  if (!setting) return Date.now();
  if (shift?.setting !== setting) shift = { setting, offsetMs: parseTime(setting, 'SLUICE_NOW') - Date.now() };
  return Date.now() + shift.offsetMs;
}

export function now(): Date {
  return new Date(nowMs());
}

/** An ISO date or time (a date alone is midnight UTC); a SluiceError naming `what` otherwise. */
export function parseTime(text: string, what: string): number {
  const trimmed = text.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? Date.parse(`${trimmed}T00:00:00Z`) : Date.parse(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(ms)) {
    throw new SluiceError(`${what} must be an ISO time such as 2026-12-04T09:30:00Z, found ${JSON.stringify(text)}`);
  }
  return ms;
}
