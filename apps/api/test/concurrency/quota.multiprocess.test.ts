/**
 * The quota holds across server processes sharing one database: several OS processes, one chat,
 * a burst of concurrent creates. Exactly min(N, 20 - k) succeed, the rest get 409, none 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { burst, startProcessCluster, tally, type ProcessCluster, type ServerProcess } from "../support/processes.js";
import type { Fixtures } from "../support/test-server.js";

const PROCESSES = 4;

describe.each(BACKENDS)("quota across 4 server processes on %s", (backend) => {
  let cluster: ProcessCluster;
  let servers: ServerProcess[];
  let fixtures: Fixtures;

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, PROCESSES);
    ({ servers, fixtures } = cluster);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each([
    [80, 0],
    [200, 3],
  ])("%i concurrent creates on a chat with %i active invites", async (requests, initial) => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    for (let i = 0; i < initial; i++) await fixtures.invite(chat, owner);
    const token = await fixtures.session(owner);

    const results = await burst(requests, (i) =>
      http(servers[i % PROCESSES]!.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session: token, json: {} }),
    );
    const counts = tally(results.map((r) => r.status));
    expect(counts).toEqual({ 201: 20 - initial, 409: requests - (20 - initial) });
    expect(await fixtures.countActive(chat)).toBe(20);
    const codes = results.filter((r) => r.status === 201).map((r) => (r.body as { code: string }).code);
    expect(new Set(codes).size).toBe(20 - initial);
  });
});
