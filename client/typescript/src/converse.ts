import { status as GrpcStatus, type ClientDuplexStream } from "@grpc/grpc-js";
import { ConverseRequest, ConverseResponse, StreamChunk } from "./gen/providergateway/v1/provider_service";
import { GatewayError, toGatewayError } from "./errors";
import { onAbort } from "./internal";
import { chatRequest, type ChatRequestInit } from "./requests";

/**
 * One `Converse` call carrying many turns, each started with a client-chosen turn id.
 *
 * ```ts
 * const session = client.converse();
 * const turn = session.startTurn("t1", "My name is Ada.", { useHistory: true });
 * for await (const chunk of turn) process.stdout.write(chunk.content);
 * session.close();
 * ```
 *
 * Server messages are routed to their {@link Turn} by `turnId`, so turns can run at the same
 * time. A failed turn throws from its own iterator only; a failure of the whole call (deadline,
 * lost connection, {@link cancel}) ends every running turn with it. {@link close} half-closes:
 * running turns finish, no new turn starts; {@link cancel} ends the call at once.
 */
export class ConverseSession {
  /** Resolves when the call has ended: with undefined, or the call's failure. */
  readonly finished: Promise<GatewayError | undefined>;
  private readonly turns = new Map<string, Turn>();
  private halfClosed = false;
  private ended = false;
  private failure: GatewayError | undefined;

  constructor(
    private readonly call: ClientDuplexStream<ConverseRequest, ConverseResponse>,
    signal?: AbortSignal,
  ) {
    const detach = onAbort(signal, () => this.cancel());
    this.finished = new Promise((resolve) => {
      call.on("data", (response: ConverseResponse) => this.route(response));
      call.on("error", (error) => {
        this.end(toGatewayError(error));
        detach();
        resolve(this.failure);
      });
      call.on("end", () => {
        this.end(undefined);
        detach();
        resolve(this.failure);
      });
    });
  }

  /**
   * Starts a turn. `turnId` is yours (1 to 128 characters) and free again once its turn has
   * ended. With `useHistory` the server prepends this session's kept history to the messages and,
   * if the turn succeeds, records the turn in it.
   */
  startTurn(turnId: string, request: ChatRequestInit, options: { useHistory?: boolean } = {}): Turn {
    if (turnId === "") {
      throw new RangeError("turnId must not be empty");
    }
    if (this.failure !== undefined) {
      throw this.failure;
    }
    if (this.halfClosed || this.ended) {
      throw new Error("the Converse session is closed");
    }
    if (this.turns.has(turnId)) {
      throw new Error(`turn ${JSON.stringify(turnId)} is still running`);
    }
    const turn = new Turn(turnId, this);
    this.turns.set(turnId, turn);
    this.call.write(
      ConverseRequest.fromPartial({
        start: { turnId, request: chatRequest(request), useHistory: options.useHistory ?? false },
      }),
    );
    return turn;
  }

  /** Half-closes the stream: no new turns; running turns finish. Idempotent. */
  close(): void {
    if (!this.halfClosed && !this.ended) {
      this.halfClosed = true;
      this.call.end();
    }
  }

  /** Cancels the whole call: every running turn fails with `CANCELLED`. Idempotent. */
  cancel(): void {
    if (!this.ended) {
      this.call.cancel();
    }
  }

  /** @internal Sends `CancelTurn` for a running turn. */
  cancelTurn(turnId: string): void {
    if (!this.halfClosed && !this.ended) {
      this.call.write(ConverseRequest.fromPartial({ cancel: { turnId } }));
    }
  }

  private route(response: ConverseResponse): void {
    const turn = this.turns.get(response.turnId);
    if (turn === undefined) {
      return;
    }
    if (response.error !== undefined) {
      this.turns.delete(response.turnId);
      turn.deliver(GatewayError.fromStatus(response.error));
    } else if (response.chunk !== undefined) {
      if (response.chunk.isFinal) {
        this.turns.delete(response.turnId);
      }
      turn.deliver(response.chunk);
    }
  }

  private end(failure: GatewayError | undefined): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.failure = failure;
    for (const turn of this.turns.values()) {
      turn.deliver(failure ?? new GatewayError(GrpcStatus.INTERNAL, "the Converse call ended mid-turn"));
    }
    this.turns.clear();
  }
}

/**
 * The chunks of one `Converse` turn, buffered until read. Iteration ends after the final chunk
 * or throws the turn's {@link GatewayError}. Leaving the loop early, or {@link cancel}, cancels
 * just this turn.
 */
export class Turn implements AsyncIterable<StreamChunk> {
  private readonly queue: (StreamChunk | GatewayError)[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private closed = false;

  constructor(
    /** The turn id given to `startTurn`. */
    readonly turnId: string,
    private readonly session: ConverseSession,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamChunk, void, undefined> {
    try {
      while (!this.done && !this.closed) {
        const item = this.queue.shift();
        if (item === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (item instanceof GatewayError) {
          this.done = true;
          throw item;
        }
        if (item.isFinal) {
          this.done = true;
        }
        yield item;
      }
    } finally {
      this.cancel();
    }
  }

  /** Cancels the turn (`CancelTurn`) unless it has ended. Idempotent. */
  cancel(): void {
    if (!this.closed) {
      this.closed = true;
      if (!this.done) {
        this.session.cancelTurn(this.turnId);
      }
      this.wakeUp();
    }
  }

  /** Reads the whole turn and returns its chunks. */
  async toArray(): Promise<StreamChunk[]> {
    const chunks: StreamChunk[] = [];
    for await (const chunk of this) {
      chunks.push(chunk);
    }
    return chunks;
  }

  /** @internal */
  deliver(item: StreamChunk | GatewayError): void {
    this.queue.push(item);
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
