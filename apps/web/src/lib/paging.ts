export interface PageInfo {
  page: number;
  pageCount: number;
  offset: number;
  /** `Showing 21–40 of 45`, `Showing 41 of 41`, or `No activity yet`. */
  summary: string;
  hasPrevious: boolean;
  hasNext: boolean;
}

/** Where page `page` (1-based) of `total` rows starts and what its pager says. */
export function pageInfo(page: number, pageSize: number, total: number): PageInfo {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const offset = (current - 1) * pageSize;
  const first = offset + 1;
  const last = Math.min(offset + pageSize, total);
  const summary =
    total === 0 ? "No activity yet" : first === last ? `Showing ${first} of ${total}` : `Showing ${first}–${last} of ${total}`;
  return { page: current, pageCount, offset, summary, hasPrevious: current > 1, hasNext: current < pageCount };
}

/** The offset to request for a page, before the total is known. */
export function offsetOf(page: number, pageSize: number): number {
  return (Math.max(1, Math.floor(page)) - 1) * pageSize;
}
