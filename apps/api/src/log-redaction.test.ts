import { describe, expect, it } from "vitest";
import { REDACTED, redactString } from "./log-redaction.js";
import { createLogger } from "./logger.js";

const CODE = "abc123def456ghi7";

function logged(fields: Record<string, unknown>, msg = "line"): Record<string, unknown> {
  const lines: string[] = [];
  createLogger("debug", (line) => lines.push(line)).info(msg, fields);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe("log redaction", () => {
  it.each([
    [`/v1/portal/resolve/${CODE}`, "/v1/portal/resolve/:code"],
    [`/join/${CODE}`, "/join/:code"],
    [`/v1/portal/chats/12/invites/${CODE}/delete`, "/v1/portal/chats/12/invites/:code/delete"],
    [`/v1/portal/chats/12/invites/${CODE}/update`, "/v1/portal/chats/12/invites/:code/update"],
    [`/V1/Portal/RESOLVE/${CODE}/`, "/V1/Portal/RESOLVE/:code/"],
    [`/v1/portal/%72esolve/${CODE}`, "/v1/portal/resolve/:code"],
    [`/trpc/invite.preview?input=${encodeURIComponent(JSON.stringify({ code: CODE }))}`, "/trpc/invite.preview"],
    [`/trpc/invite.preview?input=${encodeURIComponent('{"code": "' + CODE + '"}')}`, "/trpc/invite.preview"],
    [`/trpc/invite.preview,invite.redeem?batch=1&input={"0":{"code":"${CODE}"}}`, "/trpc/invite.preview,invite.redeem"],
    [`Cannot GET /v1/portal/resolve/${CODE} (psession=tok_en-123)`, `Cannot GET /v1/portal/resolve/:code (psession=${REDACTED})`],
  ])("%s is logged as %s", (raw, expected) => {
    expect(redactString(raw)).toBe(expected);
  });

  it("keeps paths without a code as they are", () => {
    for (const path of ["/v1/portal/chats/12/invites", "/v1/portal/chats/12/invites/revoke-all", "/health", "/v1/users/me/chats", "/trpc/invite.create", "100% done"]) {
      expect(redactString(path)).toBe(path);
    }
  });

  it("is applied by the logger to every field, at any depth, and to secret fields by name", () => {
    const line = logged(
      {
        path: `/v1/portal/resolve/${CODE}`,
        code: CODE,
        input: { code: CODE },
        nested: { invite_code: CODE, url: `http://localhost/join/${CODE}?x=1`, token: "t0k3n" },
        err: { message: `no route for /v1/portal/chats/1/invites/${CODE}/delete` },
        chat_id: 7,
      },
      `joined via /join/${CODE}`,
    );
    expect(JSON.stringify(line)).not.toContain(CODE);
    expect(JSON.stringify(line)).not.toContain("t0k3n");
    expect(line).toMatchObject({
      msg: "joined via /join/:code",
      path: "/v1/portal/resolve/:code",
      code: REDACTED,
      input: REDACTED,
      nested: { invite_code: REDACTED, url: "http://localhost/join/:code", token: REDACTED },
      err: { message: "no route for /v1/portal/chats/1/invites/:code/delete" },
      chat_id: 7,
    });
  });
});
