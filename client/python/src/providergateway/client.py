"""The blocking client: ``Client``, its streams and ``Converse`` sessions."""

from __future__ import annotations

import queue
import threading
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Tuple, Union

import grpc

from providergateway._errors import GatewayError
from providergateway._requests import (
    Messages,
    chat_request,
    count_tokens_request,
    embed_request,
    metadata_pairs,
)
from providergateway.v1 import provider_service_pb2 as pb
from providergateway.v1 import provider_service_pb2_grpc as pb_grpc

__all__ = ["ChunkStream", "Client", "ConverseSession", "Turn"]

DEFAULT_TARGET = "localhost:50051"


class Client:
    """A blocking client of the gateway's ``ProviderService``.

    >>> with Client("localhost:50051") as client:
    ...     print(client.chat("Hello!", provider="echo", timeout=10).content)

    Methods take the conversation as a string (one user message), a list of messages (generated
    ``Message`` or dicts) or a ready ``ChatRequest``, plus the request's other fields as keyword
    arguments (see :func:`providergateway.chat_request`). ``timeout`` is the call's deadline in
    seconds (the client's default when omitted; none if neither is set). Every failure is
    raised as :class:`GatewayError`.

    The client is thread-safe: share one per target. It owns the channel it creates and closes
    it in :meth:`close`; a ``channel`` passed in stays the caller's.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        channel: Optional[grpc.Channel] = None,
        credentials: Optional[grpc.ChannelCredentials] = None,
        options: Sequence[Tuple[str, Any]] = (),
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
    ) -> None:
        if channel is None:
            channel = (
                grpc.secure_channel(target, credentials, options=list(options))
                if credentials is not None
                else grpc.insecure_channel(target, options=list(options))
            )
            self._owns_channel = True
        else:
            self._owns_channel = False
        self._channel = channel
        self._stub = pb_grpc.ProviderServiceStub(channel)
        self._timeout = timeout
        self._metadata = dict(metadata or {})

    def chat(
        self,
        messages: Union[Messages, pb.ChatRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> pb.CompletionResponse:
        """Sends a conversation and returns the whole completion (``Chat``)."""
        request = chat_request(messages, **fields)
        try:
            return self._stub.Chat(request, **self._call_options(timeout, metadata))
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def stream(
        self,
        messages: Union[Messages, pb.ChatRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> "ChunkStream":
        """Streams a completion (``Stream``): an iterator of ``StreamChunk`` whose last chunk has
        ``is_final`` set. Close it (or leave its ``with`` block) to cancel the call early."""
        request = chat_request(messages, **fields)
        return ChunkStream(self._stub.Stream(request, **self._call_options(timeout, metadata)))

    def converse(
        self,
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
    ) -> "ConverseSession":
        """Opens a ``Converse`` stream: many turns, concurrent or one after another, on one call
        whose server can keep the conversation history. ``timeout`` bounds the whole session."""
        return ConverseSession(self._stub, self._call_options(timeout, metadata))

    def embed(
        self,
        inputs: Union[str, Sequence[str], pb.EmbedRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> pb.EmbedResponse:
        """Embeds one text or a batch (``Embed``): one ``Embedding`` per input, in order. Fields as
        ``embed_request``; ``model`` is required (an embedding model, route or provider/model)."""
        request = embed_request(inputs, **fields)
        try:
            return self._stub.Embed(request, **self._call_options(timeout, metadata))
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def count_tokens(
        self,
        messages: Union[Messages, pb.ChatRequest, pb.CountTokensRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> pb.CountTokensResponse:
        """Counts the input tokens a chat request would use (``CountTokens``): the provider's own
        count where it has one, else the gateway's estimate (``estimated`` is then true)."""
        request = count_tokens_request(messages, **fields)
        try:
            return self._stub.CountTokens(request, **self._call_options(timeout, metadata))
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def list_providers(
        self, *, timeout: Optional[float] = None, metadata: Optional[Mapping[str, str]] = None
    ) -> pb.ListProvidersResponse:
        """Lists the registered providers, their capabilities and circuit states, and routes."""
        try:
            return self._stub.ListProviders(
                pb.ListProvidersRequest(), **self._call_options(timeout, metadata)
            )
        except grpc.RpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def close(self) -> None:
        """Closes the channel if the client created it. Idempotent."""
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _call_options(
        self, timeout: Optional[float], metadata: Optional[Mapping[str, str]]
    ) -> Dict[str, Any]:
        merged = {**self._metadata, **(metadata or {})}
        return {
            "timeout": timeout if timeout is not None else self._timeout,
            "metadata": metadata_pairs(merged),
        }


class ChunkStream(Iterator[pb.StreamChunk]):
    """The chunks of one ``Stream`` call, as an iterator.

    Iteration ends after the chunk whose ``is_final`` is true; a failed stream raises
    :class:`GatewayError` instead. :meth:`close` (also on leaving a ``with`` block) cancels the
    call, and the gateway cancels the upstream model request; iteration then just ends.
    """

    def __init__(self, call: Any) -> None:
        self._call = call
        self._closed = False

    def __iter__(self) -> "ChunkStream":
        return self

    def __next__(self) -> pb.StreamChunk:
        if self._closed:
            raise StopIteration
        try:
            return next(self._call)
        except grpc.RpcError as error:
            if self._closed:  # cancelled by close() from another thread
                raise StopIteration from None
            raise GatewayError.from_rpc_error(error) from None

    def close(self) -> None:
        """Cancels the call if it is still running. Idempotent; callable from any thread."""
        if not self._closed:
            self._closed = True
            self._call.cancel()

    cancel = close

    def code(self) -> Optional[grpc.StatusCode]:
        """The call's status code once it has ended (``CANCELLED`` after an early close)."""
        return self._call.code() if self._call.done() else None

    def __enter__(self) -> "ChunkStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


_END = object()  # the request generator's end marker


class ConverseSession:
    """One ``Converse`` call carrying many turns, each started with a client-chosen turn id.

    >>> with client.converse() as session:
    ...     with session.start_turn("t1", "My name is Ada.", use_history=True) as turn:
    ...         print("".join(chunk.content for chunk in turn))

    A background thread reads the server's messages and routes each to its :class:`Turn` by
    ``turn_id``, so turns can run at the same time and be read from different threads. A failed
    turn raises :class:`GatewayError` from its own iterator only; the others go on. A failure of
    the whole call (deadline, lost connection, :meth:`cancel`) ends every running turn with it.

    :meth:`close` (also on leaving a ``with`` block normally) half-closes the stream: running
    turns finish and stay readable, no new turn starts. :meth:`cancel` (also on leaving the block
    with an exception) ends the call and every running turn at once.
    """

    def __init__(self, stub: pb_grpc.ProviderServiceStub, call_options: Dict[str, Any]) -> None:
        self._outbox: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._turns: Dict[str, Turn] = {}
        self._half_closed = False
        self._cancelled = False
        self._failure: Optional[GatewayError] = None
        self._ended = False
        self._call = stub.Converse(self._requests(), **call_options)
        self._reader = threading.Thread(
            target=self._read, name="providergateway-converse", daemon=True
        )
        self._reader.start()

    def start_turn(
        self,
        turn_id: str,
        messages: Union[Messages, pb.ChatRequest],
        *,
        use_history: bool = False,
        **fields: Any,
    ) -> "Turn":
        """Starts a turn and returns its chunk iterator.

        ``turn_id`` is yours (1 to 128 characters) and free again once its turn has ended. With
        ``use_history`` the server prepends this session's kept history to the messages and, if
        the turn succeeds, records the turn in it.
        """
        if not turn_id:
            raise ValueError("turn_id must not be empty")
        request = chat_request(messages, **fields)
        turn = Turn(turn_id, self)
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._half_closed or self._cancelled or self._ended:
                raise RuntimeError("the Converse session is closed")
            if turn_id in self._turns:
                raise ValueError(f"turn {turn_id!r} is still running")
            self._turns[turn_id] = turn
            self._outbox.put(
                pb.ConverseRequest(
                    start=pb.ConverseRequest.StartTurn(
                        turn_id=turn_id, request=request, use_history=use_history
                    )
                )
            )
        return turn

    def close(self) -> None:
        """Half-closes the stream: no new turns; running turns finish. Idempotent."""
        with self._lock:
            if not self._half_closed:
                self._half_closed = True
                self._outbox.put(_END)

    def cancel(self) -> None:
        """Cancels the whole call: every running turn ends with ``CANCELLED``. Idempotent."""
        with self._lock:
            self._cancelled = True
        self._call.cancel()

    def __enter__(self) -> "ConverseSession":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.cancel()

    def _cancel_turn(self, turn_id: str) -> None:
        with self._lock:
            if not self._half_closed and not self._ended:
                self._outbox.put(
                    pb.ConverseRequest(cancel=pb.ConverseRequest.CancelTurn(turn_id=turn_id))
                )

    def _requests(self) -> Iterator[pb.ConverseRequest]:
        while True:
            item = self._outbox.get()
            if item is _END:
                return
            yield item

    def _read(self) -> None:
        failure: Optional[GatewayError] = None
        try:
            for response in self._call:
                self._route(response)
        except grpc.RpcError as error:
            failure = GatewayError.from_rpc_error(error)
        with self._lock:
            self._ended = True
            self._failure = failure
            orphans = list(self._turns.values())
            self._turns.clear()
            if not self._half_closed:  # let the request generator (and its thread) finish
                self._half_closed = True
                self._outbox.put(_END)
        for turn in orphans:
            turn._deliver(
                failure
                or GatewayError(grpc.StatusCode.INTERNAL, "the Converse call ended mid-turn")
            )

    def _route(self, response: pb.ConverseResponse) -> None:
        terminal = response.HasField("error") or (
            response.HasField("chunk") and response.chunk.is_final
        )
        with self._lock:
            turn = self._turns.get(response.turn_id)
            if turn is not None and terminal:
                del self._turns[response.turn_id]
        if turn is None:
            return  # a turn this session does not know; nothing to deliver it to
        if response.HasField("error"):
            turn._deliver(GatewayError.from_status(response.error))
        else:
            turn._deliver(response.chunk)


class Turn(Iterator[pb.StreamChunk]):
    """The chunks of one ``Converse`` turn. Iteration ends after the final chunk; a failed turn
    raises :class:`GatewayError`. :meth:`close` before the end cancels just this turn."""

    def __init__(self, turn_id: str, session: ConverseSession) -> None:
        self.turn_id = turn_id
        self._session = session
        self._inbox: "queue.SimpleQueue[Union[pb.StreamChunk, GatewayError]]" = queue.SimpleQueue()
        self._done = False
        self._closed = False

    def __iter__(self) -> "Turn":
        return self

    def __next__(self) -> pb.StreamChunk:
        if self._done or self._closed:
            raise StopIteration
        item = self._inbox.get()
        if isinstance(item, GatewayError):
            self._done = True
            raise item
        if item.is_final:
            self._done = True
        return item

    def close(self) -> None:
        """Cancels the turn (``CancelTurn``) unless it has ended. Idempotent."""
        if not self._closed:
            self._closed = True
            if not self._done:
                self._session._cancel_turn(self.turn_id)

    cancel = close

    def __enter__(self) -> "Turn":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _deliver(self, item: Union[pb.StreamChunk, GatewayError]) -> None:
        self._inbox.put(item)
