// The grid's virtual window: which rows are in the DOM for a scroll position, and which pages of the result
// they need. Rows have one fixed height, so a row's place is its index times that height and the scroll
// area is as tall as all rows would be; only the rows in view (and a few around them) are built.

export interface RowWindow {
  /** First row in the DOM. */
  first: number;
  /** One past the last row in the DOM. */
  end: number;
}

/** Rows from scrollTop to the bottom of the viewport, widened by `overscan` rows each way, within 0..rowCount. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 10): RowWindow {
  if (rowCount <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const bottom = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const first = Math.min(Math.max(0, top - overscan), rowCount - 1);
  const end = Math.min(rowCount, Math.max(first + 1, bottom + overscan));
  return { first, end };
}

/** The pages (by number) that hold rows first .. end-1. */
export function pagesOf(window: RowWindow, pageSize: number): number[] {
  if (window.end <= window.first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(window.first / pageSize); p * pageSize < window.end; p++) pages.push(p);
  return pages;
}

/**
 * How many rows the scroll area stands for: all of them once the result's size is known, else the rows
 * read so far plus one more page (scrolling there asks for it), never beyond the row limit (0: none).
 */
export function scrollRowCount(rowsRead: number, done: boolean, pageSize: number, limit: number): number {
  const count = done ? rowsRead : rowsRead + pageSize;
  return limit > 0 ? Math.min(count, limit) : count;
}

/** Pages to forget when more than `keep` are loaded: the farthest from the window first. */
export function pagesToEvict(loaded: Iterable<number>, window: RowWindow, pageSize: number, keep: number): number[] {
  const pages = [...loaded];
  if (pages.length <= keep) return [];
  const centre = (window.first + window.end) / 2 / pageSize;
  return pages.sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre)).slice(0, pages.length - keep);
}
