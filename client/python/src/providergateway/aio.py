"""The asyncio client: ``AsyncClient``, its streams and ``Converse`` sessions (``grpc.aio``)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, Mapping, Optional, Sequence, Tuple, Union

import grpc
import grpc.aio

from providergateway._errors import GatewayError
from providergateway._requests import (
    Messages,
    chat_request,
    count_tokens_request,
    embed_request,
    metadata_pairs,
)
from providergateway.client import DEFAULT_TARGET
from providergateway.v1 import provider_service_pb2 as pb
from providergateway.v1 import provider_service_pb2_grpc as pb_grpc

__all__ = ["AsyncChunkStream", "AsyncClient", "AsyncConverseSession", "AsyncTurn"]


class AsyncClient:
    """An asyncio client of the gateway's ``ProviderService``, on ``grpc.aio``.

    >>> async with AsyncClient("localhost:50051") as client:
    ...     reply = await client.chat("Hello!", timeout=10)
    ...     async with client.stream("Tell me a story") as chunks:
    ...         async for chunk in chunks:
    ...             print(chunk.content, end="")

    The same arguments as :class:`providergateway.Client`, plus ``grpc.aio`` client
    ``interceptors`` for the channel it creates. Create it inside the event loop that
    uses it (a ``grpc.aio`` channel belongs to one loop). It owns the channel it creates and
    closes it in :meth:`close`; a ``channel`` passed in stays the caller's.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        channel: Optional[grpc.aio.Channel] = None,
        credentials: Optional[grpc.ChannelCredentials] = None,
        options: Sequence[Tuple[str, Any]] = (),
        interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
    ) -> None:
        if channel is None:
            channel = (
                grpc.aio.secure_channel(
                    target, credentials, options=list(options), interceptors=list(interceptors)
                )
                if credentials is not None
                else grpc.aio.insecure_channel(
                    target, options=list(options), interceptors=list(interceptors)
                )
            )
            self._owns_channel = True
        else:
            self._owns_channel = False
        self._channel = channel
        self._stub = pb_grpc.ProviderServiceStub(channel)
        self._timeout = timeout
        self._metadata = dict(metadata or {})

    async def chat(
        self,
        messages: Union[Messages, pb.ChatRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> pb.CompletionResponse:
        """Sends a conversation and returns the whole completion. Cancelling the awaiting task
        cancels the call and the upstream request."""
        request = chat_request(messages, **fields)
        try:
            return await self._stub.Chat(request, **self._call_options(timeout, metadata))
        except grpc.aio.AioRpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    def stream(
        self,
        messages: Union[Messages, pb.ChatRequest],
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> "AsyncChunkStream":
        """Streams a completion: an async iterator of ``StreamChunk`` ending after the final
        chunk. ``aclose()`` (or leaving ``async with``) cancels the call early."""
        request = chat_request(messages, **fields)
        return AsyncChunkStream(self._stub.Stream(request, **self._call_options(timeout, metadata)))

    def converse(
        self,
        *,
        timeout: Optional[float] = None,
        metadata: Optional[Mapping[str, str]] = None,
    ) -> "AsyncConverseSession":
        """Opens a ``Converse`` stream (see :class:`AsyncConverseSession`)."""
        return AsyncConverseSession(self._stub.Converse(**self._call_options(timeout, metadata)))

    async def embed(
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
            return await self._stub.Embed(request, **self._call_options(timeout, metadata))
        except grpc.aio.AioRpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    async def count_tokens(
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
            return await self._stub.CountTokens(request, **self._call_options(timeout, metadata))
        except grpc.aio.AioRpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    async def list_providers(
        self, *, timeout: Optional[float] = None, metadata: Optional[Mapping[str, str]] = None
    ) -> pb.ListProvidersResponse:
        """Lists the registered providers, their capabilities and circuit states, and routes."""
        try:
            return await self._stub.ListProviders(
                pb.ListProvidersRequest(), **self._call_options(timeout, metadata)
            )
        except grpc.aio.AioRpcError as error:
            raise GatewayError.from_rpc_error(error) from None

    async def close(self) -> None:
        """Closes the channel if the client created it. Idempotent."""
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def _call_options(
        self, timeout: Optional[float], metadata: Optional[Mapping[str, str]]
    ) -> Dict[str, Any]:
        merged = {**self._metadata, **(metadata or {})}
        return {
            "timeout": timeout if timeout is not None else self._timeout,
            "metadata": metadata_pairs(merged),
        }


class AsyncChunkStream(AsyncIterator[pb.StreamChunk]):
    """The chunks of one ``Stream`` call, as an async iterator.

    Iteration ends after the chunk whose ``is_final`` is true; a failed stream raises
    :class:`GatewayError`. :meth:`aclose` (or :meth:`cancel`, or leaving ``async with``) cancels
    the call and with it the upstream request; iteration then just ends.
    """

    def __init__(self, call: grpc.aio.UnaryStreamCall) -> None:
        self.call = call
        """The underlying ``grpc.aio`` call (for its status, metadata, ...)."""
        self._closed = False

    def __aiter__(self) -> "AsyncChunkStream":
        return self

    async def __anext__(self) -> pb.StreamChunk:
        if self._closed:
            raise StopAsyncIteration
        try:
            chunk = await self.call.read()
        except grpc.aio.AioRpcError as error:
            if self._closed:
                raise StopAsyncIteration from None
            raise GatewayError.from_rpc_error(error) from None
        except asyncio.CancelledError:
            if self._closed:  # the call (not the task) was cancelled by cancel()
                raise StopAsyncIteration from None
            self.cancel()  # the reading task was cancelled: cancel the call with it
            raise
        if chunk is grpc.aio.EOF:
            raise StopAsyncIteration
        return chunk

    def cancel(self) -> None:
        """Cancels the call if it is still running. Idempotent."""
        if not self._closed:
            self._closed = True
            self.call.cancel()

    async def aclose(self) -> None:
        """Cancels the call if it is still running. Idempotent."""
        self.cancel()

    async def __aenter__(self) -> "AsyncChunkStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.cancel()


class AsyncConverseSession:
    """One ``Converse`` call carrying many turns; the asyncio twin of
    :class:`providergateway.ConverseSession`.

    >>> async with client.converse() as session:
    ...     turn = await session.start_turn("t1", "My name is Ada.", use_history=True)
    ...     async for chunk in turn:
    ...         print(chunk.content, end="")

    A reader task routes each server message to its :class:`AsyncTurn`. :meth:`aclose` (or
    leaving ``async with`` normally) half-closes: running turns finish, no new turn starts.
    :meth:`cancel` (or leaving with an exception) ends the call and every running turn.
    """

    def __init__(self, call: grpc.aio.StreamStreamCall) -> None:
        self.call = call
        self._write_lock = asyncio.Lock()
        self._turns: Dict[str, AsyncTurn] = {}
        self._half_closed = False
        self._failure: Optional[GatewayError] = None
        self._ended = False
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def start_turn(
        self,
        turn_id: str,
        messages: Union[Messages, pb.ChatRequest],
        *,
        use_history: bool = False,
        **fields: Any,
    ) -> "AsyncTurn":
        """Starts a turn and returns its chunk iterator (see ``ConverseSession.start_turn``)."""
        if not turn_id:
            raise ValueError("turn_id must not be empty")
        request = chat_request(messages, **fields)
        if self._failure is not None:
            raise self._failure
        if self._half_closed or self._ended:
            raise RuntimeError("the Converse session is closed")
        if turn_id in self._turns:
            raise ValueError(f"turn {turn_id!r} is still running")
        turn = AsyncTurn(turn_id, self)
        self._turns[turn_id] = turn
        start = pb.ConverseRequest.StartTurn(turn_id=turn_id, request=request, use_history=use_history)
        try:
            await self._write(pb.ConverseRequest(start=start))
        except BaseException:
            self._turns.pop(turn_id, None)
            raise
        return turn

    async def aclose(self) -> None:
        """Half-closes the stream: no new turns; running turns finish. Idempotent."""
        async with self._write_lock:
            if not self._half_closed and not self._ended:
                self._half_closed = True
                try:
                    await self.call.done_writing()
                except grpc.aio.AioRpcError:
                    pass  # the call has already failed; the reader reports it

    def cancel(self) -> None:
        """Cancels the whole call: every running turn ends with ``CANCELLED``. Idempotent."""
        self.call.cancel()

    async def __aenter__(self) -> "AsyncConverseSession":
        return self

    async def __aexit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            await self.aclose()
        else:
            self.cancel()

    async def _write(self, request: pb.ConverseRequest) -> None:
        async with self._write_lock:
            try:
                await self.call.write(request)
            except grpc.aio.AioRpcError as error:
                raise GatewayError.from_rpc_error(error) from None
            except asyncio.InvalidStateError:
                raise RuntimeError("the Converse call has ended") from None

    async def _cancel_turn(self, turn_id: str) -> None:
        if self._half_closed or self._ended:
            return
        try:
            await self._write(
                pb.ConverseRequest(cancel=pb.ConverseRequest.CancelTurn(turn_id=turn_id))
            )
        except (GatewayError, RuntimeError):
            pass  # the call is over, and the turn with it

    async def _read(self) -> None:
        failure: Optional[GatewayError] = None
        try:
            while True:
                response = await self.call.read()
                if response is grpc.aio.EOF:
                    break
                self._route(response)
        except grpc.aio.AioRpcError as error:
            failure = GatewayError.from_rpc_error(error)
        except asyncio.CancelledError:
            failure = GatewayError(grpc.StatusCode.CANCELLED, "the Converse call was cancelled")
        self._ended = True
        self._failure = failure
        orphans = list(self._turns.values())
        self._turns.clear()
        for turn in orphans:
            turn._deliver(
                failure
                or GatewayError(grpc.StatusCode.INTERNAL, "the Converse call ended mid-turn")
            )

    def _route(self, response: pb.ConverseResponse) -> None:
        turn = self._turns.get(response.turn_id)
        if turn is None:
            return
        if response.HasField("error"):
            del self._turns[response.turn_id]
            turn._deliver(GatewayError.from_status(response.error))
        else:
            if response.chunk.is_final:
                del self._turns[response.turn_id]
            turn._deliver(response.chunk)


class AsyncTurn(AsyncIterator[pb.StreamChunk]):
    """The chunks of one ``Converse`` turn. Iteration ends after the final chunk; a failed turn
    raises :class:`GatewayError`. :meth:`aclose` before the end cancels just this turn."""

    def __init__(self, turn_id: str, session: AsyncConverseSession) -> None:
        self.turn_id = turn_id
        self._session = session
        self._inbox: "asyncio.Queue[Union[pb.StreamChunk, GatewayError]]" = asyncio.Queue()
        self._done = False
        self._closed = False

    def __aiter__(self) -> "AsyncTurn":
        return self

    async def __anext__(self) -> pb.StreamChunk:
        if self._done or self._closed:
            raise StopAsyncIteration
        item = await self._inbox.get()
        if isinstance(item, GatewayError):
            self._done = True
            raise item
        if item.is_final:
            self._done = True
        return item

    async def aclose(self) -> None:
        """Cancels the turn (``CancelTurn``) unless it has ended. Idempotent."""
        if not self._closed:
            self._closed = True
            if not self._done:
                await self._session._cancel_turn(self.turn_id)

    async def __aenter__(self) -> "AsyncTurn":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def _deliver(self, item: Union[pb.StreamChunk, GatewayError]) -> None:
        self._inbox.put_nowait(item)
