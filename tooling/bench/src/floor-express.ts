/**
 * Floor 1: the REST create as a hand-written Express 5 route (express.json, then floor-create's raw
 * SQL). No helmet, no request log, no cross-site check, no zod, no Kysely: no project code can be
 * faster on Express than this. Needs BENCH_DB (the SQLite file); listens on PORT.
 */
import express from "express";
import { floorCreate } from "./floor-create.js";
import { floorDatabasePath } from "./config.js";
import { listenForBench } from "./listen.js";

const create = await floorCreate(floorDatabasePath());
const app = express();
app.post("/v1/portal/chats/:chat_id/invites", express.json({ limit: 16 * 1024 }), (req, res) => {
  const { status, body } = create(req.headers.cookie, Number(req.params.chat_id), (req.body ?? {}) as Record<string, never>);
  res.status(status).json(body);
});

listenForBench(app);
