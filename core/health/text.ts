// How health talks about counts and times in its sentences.

import { formatDuration } from './settings';

const NUMBERS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export function count(n: number): string {
  return NUMBERS.format(n);
}

/** "2 h ago", "just now", "in 5 min" (a load stamped after the time health judges at). */
export function ago(thenMs: number, nowMs: number): string {
  const delta = nowMs - thenMs;
  if (Math.abs(delta) < 1000) return 'just now';
  return delta > 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}
