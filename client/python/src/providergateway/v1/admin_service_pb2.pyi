from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UsagePeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    USAGE_PERIOD_UNSPECIFIED: _ClassVar[UsagePeriod]
    USAGE_PERIOD_DAY: _ClassVar[UsagePeriod]
    USAGE_PERIOD_WEEK: _ClassVar[UsagePeriod]
    USAGE_PERIOD_MONTH: _ClassVar[UsagePeriod]
USAGE_PERIOD_UNSPECIFIED: UsagePeriod
USAGE_PERIOD_DAY: UsagePeriod
USAGE_PERIOD_WEEK: UsagePeriod
USAGE_PERIOD_MONTH: UsagePeriod

class GetUsageRequest(_message.Message):
    __slots__ = ("period", "key_ids")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    KEY_IDS_FIELD_NUMBER: _ClassVar[int]
    period: UsagePeriod
    key_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, period: _Optional[_Union[UsagePeriod, str]] = ..., key_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetUsageResponse(_message.Message):
    __slots__ = ("current", "previous", "currency")
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    current: PeriodUsage
    previous: PeriodUsage
    currency: str
    def __init__(self, current: _Optional[_Union[PeriodUsage, _Mapping]] = ..., previous: _Optional[_Union[PeriodUsage, _Mapping]] = ..., currency: _Optional[str] = ...) -> None: ...

class PeriodUsage(_message.Message):
    __slots__ = ("start_time", "end_time", "rows", "cost", "cost_nanos")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    COST_NANOS_FIELD_NUMBER: _ClassVar[int]
    start_time: str
    end_time: str
    rows: _containers.RepeatedCompositeFieldContainer[UsageRow]
    cost: float
    cost_nanos: int
    def __init__(self, start_time: _Optional[str] = ..., end_time: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[UsageRow, _Mapping]]] = ..., cost: _Optional[float] = ..., cost_nanos: _Optional[int] = ...) -> None: ...

class UsageRow(_message.Message):
    __slots__ = ("key_id", "provider", "model", "calls", "prompt_tokens", "completion_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "estimated_tokens", "cost", "cost_nanos", "unpriced_calls")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHE_READ_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHE_WRITE_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REASONING_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    COST_NANOS_FIELD_NUMBER: _ClassVar[int]
    UNPRICED_CALLS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    provider: str
    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    estimated_tokens: int
    cost: float
    cost_nanos: int
    unpriced_calls: int
    def __init__(self, key_id: _Optional[str] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., calls: _Optional[int] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., cache_read_tokens: _Optional[int] = ..., cache_write_tokens: _Optional[int] = ..., reasoning_tokens: _Optional[int] = ..., estimated_tokens: _Optional[int] = ..., cost: _Optional[float] = ..., cost_nanos: _Optional[int] = ..., unpriced_calls: _Optional[int] = ...) -> None: ...
