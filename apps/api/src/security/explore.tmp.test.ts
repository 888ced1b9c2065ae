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
  const cases: [string, string, string[], Buffer?][] = [
    ["GET", `/v1/portal/chats/%E0%A4%A/invites`, ["cookie", c]],
    ["GET", `/v1/portal/resolve/%ZZ`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/invites/%/delete`, ["cookie", c]],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-encoding", "gzip"], Buffer.from("garbage")],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-encoding", "deflate"], Buffer.from("garbage")],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-encoding", "br"], Buffer.from("garbage")],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-encoding", "zzz"], Buffer.from("{}")],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-encoding", "gzip"], gzipSync('{"max_uses":2}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json"], Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"__proto__": {"x":1}}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"constructor": {"prototype": {"x":1}}}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json"], Buffer.from('[' .repeat(5000) + ']'.repeat(5000))],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"max_uses": 1e400}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json", "content-type", "text/plain"], Buffer.from('{}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; charset=latin1"], Buffer.from('{}')],
    ["POST", `/v1/portal/chats/${chat.id}/invites`, ["cookie", c, "content-type", "application/json; charset=utf-16"], Buffer.from('{}')],
    ["POST", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"chat_id": ')],
    ["POST", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"chat_id": "1", "__proto__": 1}')],
    ["GET", `/trpc/invite.list?input=notjson`, ["cookie", c]],
    ["GET", `/trpc/invite.list?input=%7B`, ["cookie", c]],
    ["GET", `/trpc/invite.list`, ["cookie", c]],
    ["GET", `/trpc/invite.list?batch=1&input=notjson`, ["cookie", c]],
    ["GET", `/trpc/invite.list,invite.list?batch=1&input={"0":{"chat_id":1},"1":5}`, ["cookie", c]],
    ["GET", `/trpc/${Array(12).fill("invite.list").join(",")}?batch=1&input={}`, ["cookie", c]],
    ["POST", `/trpc/invite.list`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"chat_id":1}')],
    ["GET", `/trpc/invite.create?input={"chat_id":1}`, ["cookie", c]],
    ["PUT", `/trpc/invite.create`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"chat_id":1}')],
    ["DELETE", `/v1/portal/chats/1/invites`, ["cookie", c]],
    ["GET", `/trpc/`, ["cookie", c]],
    ["GET", `/trpc`, ["cookie", c]],
    ["GET", `/trpc/invite.create,invite.list?batch=1&input={"0":{"chat_id":1}}`, ["cookie", c]],
    ["POST", `/trpc/invite.create?batch=1`, ["cookie", c, "content-type", "application/json"], Buffer.from('[1,2]')],
    ["POST", `/trpc/invite.create?batch=1`, ["cookie", c, "content-type", "application/json"], Buffer.from('{"0":{"chat_id":"x"}}')],
    ["GET", `/v1/portal/chats/${chat.id}/activity?limit=1&limit=2`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?limit[a]=1`, ["cookie", c]],
    ["GET", `/v1/portal/chats/${chat.id}/activity?offset=99999999999999999999`, ["cookie", c]],
    ["GET", `/v1/portal/chats/99999999999999999999/invites`, ["cookie", c]],
    ["GET", `/v1/portal/chats/\xff\xfe/invites`, ["cookie", c]],
    ["GET", `/v1/portal/resolve/abc\xff`, ["cookie", c]],
    ["GET", `/v1/users/me`, ["cookie", c, "cookie", "psession=other"]],
    ["GET", `/v1/users/me`, ["cookie", "psession=%E0%A4%A"]],
    ["POST", `/v1/authentication/verify`, ["content-type", "application/json"], Buffer.from('{"code":"\\ud800"}')],
    ["GET", `/trpc/invite.preview?input=${encodeURIComponent('{"code":"\\ud800"}')}`, ["cookie", c]],
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
