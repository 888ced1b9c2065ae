import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { it } from "vitest";
import { startTestServer } from "../test-support/test-server.js";

function raw(url: string, method: string, path: string, headers: string[], body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: ["host", u.host, ...headers] }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body) req.end(body); else req.end();
  });
}

it("explore", async () => {
  const server = await startTestServer("sqlite");
  const owner = await server.fixtures.user();
  const token = await server.fixtures.session(owner);
  const chat = await server.fixtures.chat({ owner });
  const c = `psession=${token}`;
  const J = ["cookie", c, "content-type", "application/json"];
  const cases: [string, string, string[], Buffer?][] = [
    ["GET", `/trpc/invite.list%ZZ?input={}`, ["cookie", c]],
    ["GET", `/trpc/invite.li%73t?input=%7B%22chat_id%22:1%7D`, ["cookie", c]],
    ["GET", `/trpc/invite.list?input=%ZZ`, ["cookie", c]],
    ["GET", `/trpc/__proto__`, ["cookie", c]],
    ["GET", `/trpc/invite.__proto__`, ["cookie", c]],
    ["GET", `/trpc/invite.constructor`, ["cookie", c]],
    ["GET", `/trpc/toString`, ["cookie", c]],
    ["GET", `/trpc/invite.list.constructor`, ["cookie", c]],
    ["GET", `/trpc/invite.list?input={"chat_id":1,"__proto__":{"x":1}}`, ["cookie", c]],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; charset=utf-8; charset=latin1"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; foo"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json;"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; charset=\"utf-8\""], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json ; charset=utf-8"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; boundary=x"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json;charset=utf-8;"], Buffer.from('{"max_uses":"bogus"}')],
    ["POST", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json; charset=utf-8; charset=latin1"], Buffer.from('{"chat_id":1,"max_uses":"bogus"}')],
    ["POST", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json; foo"], Buffer.from('{"chat_id":1,"max_uses":"bogus"}')],
    ["POST", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json", "content-encoding", "gzip"], Buffer.from('garbage')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('\ufeff{"max_uses":2}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('  ')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"max_uses":2}'.padEnd(16384, " "))],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"max_uses":2}'.padEnd(16385, " "))],
    ["POST", `/trpc/invite.create`, J, Buffer.from('{"chat_id":1}'.padEnd(16384, " "))],
    ["POST", `/trpc/invite.create`, J, Buffer.from('{"chat_id":1}'.padEnd(16385, " "))],
    ["POST", `/trpc/invite.create`, J, Buffer.from('')],
    ["POST", `/trpc/invite.create`, J, Buffer.from('null')],
    ["POST", `/trpc/invite.create`, J, Buffer.from('{"chat_id":1,"max_uses":1.0,"expires_at":"2099-01-01T00:00:00.5+01:00"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"max_uses":2, "max_uses": null}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"":1}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"max_uses":1e400}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"max_uses":-0}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"expires_at":"9999-12-31T23:59:59Z"}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, J, Buffer.from('{"expires_at":"+275760-09-13T00:00:00Z"}')],
    ["OPTIONS", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c]],
    ["HEAD", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?offset=1&offset=`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?__proto__=1&constructor=2&limit=3`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?limit=+5`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?limit=%ZZ`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/invites/`, ["cookie", c]],
    ["GET", `//v1/portal/chats/${chat.id}/invites`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/../${chat.id}/invites`, ["cookie", c]],
    ["GET", `/V1/portal/chats/${chat.id}/invites`, ["cookie", c]],
    ["GET", `/v1/PORTAL/chats/${chat.id}/invites`, ["cookie", c]],
    ["GET", `*`, ["cookie", c]],
    ["GET", `http://127.0.0.1/v1/users/me`, ["cookie", c]],
  ];
  for (const [m, p, h, b] of cases) {
    try {
      const r = await raw(server.url, m, p, h, b);
      console.log(m, p.slice(0, 80), "→", r.status, r.headers["x-correlation-id"], r.body.slice(0, 400));
    } catch (e) { console.log(m, p.slice(0, 80), "THREW", (e as Error).message); }
  }
  const errs = server.logs.filter((l) => l.level === "error");
  console.log(JSON.stringify(errs.map((e) => (e.err as {message:string})?.message ?? e.msg)));
  await server.stop();
});
