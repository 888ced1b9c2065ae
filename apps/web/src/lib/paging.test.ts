import { describe, expect, it } from "vitest";
import { offsetOf, pageInfo } from "./paging";

describe("pageInfo", () => {
  it("describes the first, a middle and the last page", () => {
    expect(pageInfo(1, 20, 45)).toEqual({ page: 1, pageCount: 3, offset: 0, summary: "Showing 1–20 of 45", hasPrevious: false, hasNext: true });
    expect(pageInfo(2, 20, 45)).toMatchObject({ offset: 20, summary: "Showing 21–40 of 45", hasPrevious: true, hasNext: true });
    expect(pageInfo(3, 20, 45)).toMatchObject({ offset: 40, summary: "Showing 41–45 of 45", hasNext: false });
  });

  it("names a lone last row once", () => {
    expect(pageInfo(2, 20, 21).summary).toBe("Showing 21 of 21");
  });

  it("clamps a page past the end and says when there is nothing", () => {
    expect(pageInfo(9, 20, 45).page).toBe(3);
    expect(pageInfo(1, 20, 0)).toMatchObject({ pageCount: 1, summary: "No activity yet", hasNext: false, hasPrevious: false });
  });

  it("offsetOf", () => {
    expect(offsetOf(1, 20)).toBe(0);
    expect(offsetOf(3, 20)).toBe(40);
    expect(offsetOf(0, 20)).toBe(0);
  });
});
