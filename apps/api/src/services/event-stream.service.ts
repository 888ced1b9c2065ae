import { ErrorMessage, MAX_EVENT_STREAMS_PER_USER } from "@portal/contracts";
import { canManageChat, isAccountRestricted } from "@portal/core";
import { randomUUID } from "node:crypto";
import { listChatAccessFacts } from "../db/repositories/chat.repository.js";
import { acquireStreamLease, type StreamLease } from "../db/repositories/event-stream.repository.js";
import { lastChatEventId, listChatEventsAfter } from "../db/repositories/event.repository.js";
import { findLiveSessionUsers } from "../db/repositories/session.repository.js";
import type { UserRow } from "../db/schema.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import { EventBatch } from "../live/live-event.js";
import { EventStream, STREAM_ENDS, type EventSink, type StreamEnd, type StreamOwner } from "../live/stream.js";
import { errorFields } from "../logger.js";
import { accessFactsOf, actorOf, requireManageableChat } from "./access.js";
import type { ServiceDeps } from "./context.js";
import { AppError, serviceUnavailable } from "./errors.js";
import { stateOf } from "./mappers.js";
import { sha256Hex } from "./secrets.js";

/**
 * A chat's live events for its managers (SPEC section 11), for both transports: open a stream
 * (the access check of listing invites, and a lease under the limit of streams per user), then
 * run it: the retained events after the client's last id, then the live ones, once each, in order.
 */

export interface OpenEventStreamInput {
  chat_id: number;
  /** The last event the client saw (validated by the transport); null: from now on. */
  last_event_id: string | null;
}

/** Events replayed per query. */
const REPLAY_PAGE = 500;

/**
 * Opens a stream: 404/403 as listing the chat's invites, 429 over the limit of open streams per
 * user, 503 without live delivery on this instance. Nothing is sent yet: the transport answers
 * (headers), then calls `runEventStream`. The stream holds a lease until it ends.
 */
export async function openEventStream(deps: ServiceDeps, user: UserRow, sessionToken: string, input: OpenEventStreamInput): Promise<EventStream> {
  const live = deps.live;
  if (!live || live.streams.stopped) throw serviceUnavailable();
  const now = deps.now();
  const lease: StreamLease = {
    id: randomUUID(),
    userId: user.id,
    instanceId: live.instanceId,
    chatId: input.chat_id,
    openedAt: now,
    leaseUntil: now + live.leaseMs,
  };
  const lastId = input.last_event_id === null ? null : Number(input.last_event_id);
  const start = await writeTransaction(deps.db, openSteps(user, lease, lastId, now));
  const stream = new EventStream(lease.id, { userId: user.id, chatId: input.chat_id, tokenHash: sha256Hex(sessionToken) }, start, now);
  live.streams.add(stream);
  deps.log.debug("event stream opened", { user_id: user.id, chat_id: input.chat_id, after: start, open_streams: live.streams.size });
  return stream;
}

/** The access check, the lease, and where the stream starts: after the client's last id, or after the chat's newest event. */
function* openSteps(user: UserRow, lease: StreamLease, lastId: number | null, now: number): Steps<number> {
  const chat = yield* requireManageableChat(user, lease.chatId);
  if (!(yield* acquireStreamLease(lease, MAX_EVENT_STREAMS_PER_USER, now))) {
    throw new AppError("TOO_MANY_REQUESTS", ErrorMessage.eventStreamLimit);
  }
  return lastId ?? (yield* lastChatEventId(chat.id));
}

/**
 * Runs an opened stream into the transport's sink until it ends: registered with the instance's
 * feed first, then the replay of every retained event after its start (an id older than the
 * retention gets what is still kept: the events purged are gone), then live. A database that does
 * not answer meanwhile ends it as unavailable (the client reconnects and resumes).
 */
export async function runEventStream(deps: ServiceDeps, stream: EventStream, sink: EventSink): Promise<void> {
  stream.attach(sink);
  const live = deps.live;
  if (!live) return stream.end(STREAM_ENDS.unavailable);
  try {
    const unsubscribe = await live.feed.subscribe(stream.owner.chatId, stream);
    stream.onEnd(unsubscribe);
    for (;;) {
      if (stream.ended) return;
      const rows = await readSteps(deps.db, listChatEventsAfter(stream.owner.chatId, stream.lastId, REPLAY_PAGE));
      if (rows.length > 0) stream.replay(EventBatch.ofRows(rows));
      if (rows.length < REPLAY_PAGE) break;
      await sink.drained();
    }
    stream.goLive();
  } catch (error) {
    if (stream.ended) return;
    deps.log.warn("event stream could not start: the database did not answer", { ...errorFields(error), chat_id: stream.owner.chatId });
    stream.end(STREAM_ENDS.unavailable);
  }
}

/** Rows per `in (…)` list of the access check. */
const CHECK_CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHECK_CHUNK) out.push(values.slice(i, i + CHECK_CHUNK));
  return out;
}

/**
 * The access check again, for every open stream of the instance at once (a query for the
 * sessions and one for the chats, per 500): a stream ends when its session ended or expired, its
 * account is restricted, its chat is gone, or its user may no longer manage the chat.
 */
export async function checkEventStreams(deps: ServiceDeps, owners: readonly StreamOwner[]): Promise<(StreamEnd | null)[]> {
  const now = deps.now();
  const users = new Map<string, UserRow>();
  for (const hashes of chunks([...new Set(owners.map((o) => o.tokenHash))])) {
    for (const [hash, user] of await readSteps(deps.db, findLiveSessionUsers(hashes, now))) users.set(hash, user);
  }
  const chats = new Map<number, Parameters<typeof accessFactsOf>[0]>();
  for (const ids of chunks([...new Set(owners.map((o) => o.chatId))])) {
    for (const [id, chat] of await readSteps(deps.db, listChatAccessFacts(ids))) chats.set(id, chat);
  }
  return owners.map((owner) => {
    const user = users.get(owner.tokenHash);
    if (!user || user.id !== owner.userId) return STREAM_ENDS.session;
    if (isAccountRestricted({ state: stateOf(user), timeoutUntil: user.timeout_until }, now)) return STREAM_ENDS.restricted;
    const chat = chats.get(owner.chatId);
    if (!chat) return STREAM_ENDS.chatGone;
    return canManageChat(actorOf(user), accessFactsOf(chat)) ? null : STREAM_ENDS.access;
  });
}

