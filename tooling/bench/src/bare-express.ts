/**
 * Baseline 1: a bare Express 5 route returning a small JSON object. Nothing else is mounted: this
 * is the ceiling any Express route on this machine can reach. Listens on PORT, prints a JSON
 * "listening" line like the server's, and stops on SIGTERM.
 */
import express from "express";
import { listenForBench } from "./listen.js";

const app = express();
app.get("/hello", (_req, res) => {
  res.json({ hello: "world" });
});

listenForBench(app);
