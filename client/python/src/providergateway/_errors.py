"""The one exception type of the client: a failed gateway call with the gateway's details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

__all__ = ["DOMAIN", "FieldViolation", "GatewayError"]

#: The ``ErrorInfo.domain`` of the gateway's own errors.
DOMAIN = "providergateway"

# The trailer in which gRPC servers put the google.rpc.Status with the error details.
_STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a rejected request, from ``google.rpc.BadRequest``."""

    field: str
    """The path of the field, for example ``messages[0].role``."""
    description: str
    """Why the field is invalid."""


class GatewayError(Exception):
    """A failed gateway call, raised by every client method and stream iterator.

    It carries the gRPC status and the details the gateway attaches to its errors:
    ``google.rpc.ErrorInfo`` (:attr:`reason`, :attr:`domain`, :attr:`error_metadata`),
    ``google.rpc.RetryInfo`` (:attr:`retry_delay`) and ``google.rpc.BadRequest``
    (:attr:`field_violations`). A failed call and a failed ``Converse`` turn (whose error arrives
    in-band as a ``google.rpc.Status``) look the same.

    The client never retries by itself (model calls cost money and are not idempotent):
    :attr:`retryable` and :attr:`retry_delay` tell the caller whether and when to try again.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str = "",
        details: Sequence[any_pb2.Any] = (),
    ) -> None:
        self.code: grpc.StatusCode = code
        """The gRPC status code, for example ``grpc.StatusCode.RESOURCE_EXHAUSTED``."""
        self.message: str = message or ""
        """The server's human-readable message; empty if it sent none."""
        info = _pick_error_info(details)
        self.reason: str = info.reason if info else ""
        """``ErrorInfo.reason``, for example ``PROVIDER_RATE_LIMIT``; empty without ErrorInfo."""
        self.domain: str = info.domain if info else ""
        """``ErrorInfo.domain`` (``providergateway`` for the gateway's errors); empty if none."""
        self.error_metadata: Dict[str, str] = dict(info.metadata) if info else {}
        """``ErrorInfo.metadata``: ``provider``, ``model`` and, for upstream HTTP failures,
        ``http_status``."""
        retry = _first(details, error_details_pb2.RetryInfo)
        self.retry_delay: Optional[float] = (
            retry.retry_delay.ToTimedelta().total_seconds()
            if retry is not None and retry.HasField("retry_delay")
            else None
        )
        """Seconds the server asks the caller to wait before retrying, from ``RetryInfo``;
        ``None`` when it gave no hint."""
        violations: List[FieldViolation] = []
        for bad_request in _all(details, error_details_pb2.BadRequest):
            violations.extend(
                FieldViolation(v.field, v.description) for v in bad_request.field_violations
            )
        self.field_violations: Tuple[FieldViolation, ...] = tuple(violations)
        """The invalid fields of a rejected request, from ``BadRequest``; often empty."""
        super().__init__(self._summary())

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "GatewayError":
        """Converts a failed call (a sync ``grpc.RpcError`` or a ``grpc.aio.AioRpcError``)."""
        code = _call_attr(error, "code") or grpc.StatusCode.UNKNOWN
        message = _call_attr(error, "details") or ""
        status = _status_from_trailers(_call_attr(error, "trailing_metadata"))
        result = cls(code, message, list(status.details) if status else ())
        result.__cause__ = error
        return result

    @classmethod
    def from_status(cls, status: status_pb2.Status) -> "GatewayError":
        """Converts the in-band ``google.rpc.Status`` that ends a failed ``Converse`` turn."""
        return cls(_code_from_int(status.code), status.message, list(status.details))

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later: true for ``UNAVAILABLE`` (gateway or
        provider unreachable, or a provider's circuit is open), ``DEADLINE_EXCEEDED``, and
        ``RESOURCE_EXHAUSTED`` with a :attr:`retry_delay` (a rate limit, not a hard quota)."""
        if self.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return True
        return self.code == grpc.StatusCode.RESOURCE_EXHAUSTED and self.retry_delay is not None

    def _summary(self) -> str:
        text = self.code.name
        if self.reason:
            text += " " + self.reason
        if self.message:
            text += ": " + self.message
        return text

    def __repr__(self) -> str:
        return (
            f"GatewayError(code={self.code.name}, reason={self.reason!r}, "
            f"message={self.message!r}, retry_delay={self.retry_delay!r})"
        )


def _call_attr(error: Any, name: str) -> Any:
    method = getattr(error, name, None)
    if not callable(method):
        return None
    try:
        return method()
    except Exception:  # a half-initialized call object must not hide the error itself
        return None


def _status_from_trailers(trailers: Optional[Iterable[Tuple[str, Any]]]) -> Optional[status_pb2.Status]:
    for key, value in trailers or ():
        if key == _STATUS_DETAILS_KEY:
            try:
                return status_pb2.Status.FromString(value)
            except Exception:  # a malformed trailer: keep the code and message
                return None
    return None


def _code_from_int(value: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN


def _all(details: Sequence[any_pb2.Any], message_type: Any) -> List[Any]:
    found = []
    for detail in details:
        if detail.Is(message_type.DESCRIPTOR):
            message = message_type()
            if detail.Unpack(message):
                found.append(message)
    return found


def _first(details: Sequence[any_pb2.Any], message_type: Any) -> Any:
    found = _all(details, message_type)
    return found[0] if found else None


def _pick_error_info(details: Sequence[any_pb2.Any]) -> Optional[error_details_pb2.ErrorInfo]:
    infos = _all(details, error_details_pb2.ErrorInfo)
    for info in infos:
        if info.domain == DOMAIN:
            return info
    return infos[0] if infos else None

