// A histogram as sparkline bars: one bar per bin, heights relative to the fullest bin, so a column's shape
// reads at a glance. Pure geometry; the profile page draws the bars as SVG rectangles.

export interface SparkBar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bars for `counts` in a box of width × height: equal widths with a gap of one unit, heights scaled to the
 * largest count; a non-zero count always gets at least one unit of height so that it stays visible.
 */
export function sparkBars(counts: readonly number[], width: number, height: number): SparkBar[] {
  if (counts.length === 0) return [];
  const most = Math.max(...counts);
  const slot = width / counts.length;
  const barWidth = Math.max(1, slot - 1);
  return counts.map((count, i) => {
    const h = most <= 0 || count <= 0 ? 0 : Math.max(1, (count / most) * height);
    return { x: i * slot, y: height - h, width: barWidth, height: h };
  });
}
