// How health talks about counts and times in its sentences.

import { formatDuration } from './settings';

const NUMBERS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** Formatted counts, kept: a report says the same few numbers thousands of times. */
const counted = new Map<number, string>();

export function count(n: number): string {
  let text = counted.get(n);
  if (text === undefined) {
    if (counted.size > 10_000) counted.clear();
    text = NUMBERS.format(n);
    counted.set(n, text);
  }
  return text;
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
