from google.protobuf import struct_pb2 as _struct_pb2
from google.rpc import status_pb2 as _status_pb2
from providergateway.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ToolCallFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_CALL_FORMAT_UNSPECIFIED: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_OPENAI: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_ANTHROPIC: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_GOOGLE: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_BEDROCK: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_OLLAMA_NATIVE: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_OLLAMA_JSON: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_LMSTUDIO_NATIVE: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_VLLM: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_XML: _ClassVar[ToolCallFormat]
    TOOL_CALL_FORMAT_NONE: _ClassVar[ToolCallFormat]

class CircuitState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CIRCUIT_STATE_UNSPECIFIED: _ClassVar[CircuitState]
    CIRCUIT_STATE_CLOSED: _ClassVar[CircuitState]
    CIRCUIT_STATE_OPEN: _ClassVar[CircuitState]
    CIRCUIT_STATE_HALF_OPEN: _ClassVar[CircuitState]

class EmbeddingEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMBEDDING_ENCODING_UNSPECIFIED: _ClassVar[EmbeddingEncoding]
    EMBEDDING_ENCODING_FLOAT: _ClassVar[EmbeddingEncoding]
    EMBEDDING_ENCODING_BASE64: _ClassVar[EmbeddingEncoding]
TOOL_CALL_FORMAT_UNSPECIFIED: ToolCallFormat
TOOL_CALL_FORMAT_OPENAI: ToolCallFormat
TOOL_CALL_FORMAT_ANTHROPIC: ToolCallFormat
TOOL_CALL_FORMAT_GOOGLE: ToolCallFormat
TOOL_CALL_FORMAT_BEDROCK: ToolCallFormat
TOOL_CALL_FORMAT_OLLAMA_NATIVE: ToolCallFormat
TOOL_CALL_FORMAT_OLLAMA_JSON: ToolCallFormat
TOOL_CALL_FORMAT_LMSTUDIO_NATIVE: ToolCallFormat
TOOL_CALL_FORMAT_VLLM: ToolCallFormat
TOOL_CALL_FORMAT_XML: ToolCallFormat
TOOL_CALL_FORMAT_NONE: ToolCallFormat
CIRCUIT_STATE_UNSPECIFIED: CircuitState
CIRCUIT_STATE_CLOSED: CircuitState
CIRCUIT_STATE_OPEN: CircuitState
CIRCUIT_STATE_HALF_OPEN: CircuitState
EMBEDDING_ENCODING_UNSPECIFIED: EmbeddingEncoding
EMBEDDING_ENCODING_FLOAT: EmbeddingEncoding
EMBEDDING_ENCODING_BASE64: EmbeddingEncoding

class ChatRequest(_message.Message):
    __slots__ = ("provider", "model", "messages", "temperature", "max_tokens", "tools", "tool_choice", "stop", "seed", "top_p", "response_format", "reasoning_effort", "extra", "tags", "include_raw", "check_schema", "prompt_cache_key", "cached_content")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    REASONING_EFFORT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_RAW_FIELD_NUMBER: _ClassVar[int]
    CHECK_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHE_KEY_FIELD_NUMBER: _ClassVar[int]
    CACHED_CONTENT_FIELD_NUMBER: _ClassVar[int]
    provider: str
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    temperature: float
    max_tokens: int
    tools: _containers.RepeatedCompositeFieldContainer[_types_pb2.ToolDefinition]
    tool_choice: _types_pb2.ToolChoice
    stop: _containers.RepeatedScalarFieldContainer[str]
    seed: int
    top_p: float
    response_format: _types_pb2.ResponseFormat
    reasoning_effort: str
    extra: _struct_pb2.Struct
    tags: _containers.ScalarMap[str, str]
    include_raw: bool
    check_schema: bool
    prompt_cache_key: str
    cached_content: str
    def __init__(self, provider: _Optional[str] = ..., model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ..., temperature: _Optional[float] = ..., max_tokens: _Optional[int] = ..., tools: _Optional[_Iterable[_Union[_types_pb2.ToolDefinition, _Mapping]]] = ..., tool_choice: _Optional[_Union[_types_pb2.ToolChoice, _Mapping]] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., top_p: _Optional[float] = ..., response_format: _Optional[_Union[_types_pb2.ResponseFormat, _Mapping]] = ..., reasoning_effort: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., include_raw: bool = ..., check_schema: bool = ..., prompt_cache_key: _Optional[str] = ..., cached_content: _Optional[str] = ...) -> None: ...

class CompletionResponse(_message.Message):
    __slots__ = ("content", "role", "tool_calls", "stop_reason", "native_stop_reason", "usage", "model", "provider", "reasoning_content", "metadata", "reasoning_blocks", "raw_response")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    NATIVE_STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REASONING_CONTENT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REASONING_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    RAW_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    content: str
    role: str
    tool_calls: _containers.RepeatedCompositeFieldContainer[_types_pb2.ToolCall]
    stop_reason: _types_pb2.StopReason
    native_stop_reason: str
    usage: _types_pb2.Usage
    model: str
    provider: str
    reasoning_content: str
    metadata: _containers.ScalarMap[str, str]
    reasoning_blocks: _containers.RepeatedCompositeFieldContainer[_types_pb2.ReasoningBlock]
    raw_response: str
    def __init__(self, content: _Optional[str] = ..., role: _Optional[str] = ..., tool_calls: _Optional[_Iterable[_Union[_types_pb2.ToolCall, _Mapping]]] = ..., stop_reason: _Optional[_Union[_types_pb2.StopReason, str]] = ..., native_stop_reason: _Optional[str] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., reasoning_content: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., reasoning_blocks: _Optional[_Iterable[_Union[_types_pb2.ReasoningBlock, _Mapping]]] = ..., raw_response: _Optional[str] = ...) -> None: ...

class StreamChunk(_message.Message):
    __slots__ = ("content", "reasoning_content", "tool_call_deltas", "tool_calls", "stop_reason", "native_stop_reason", "is_final", "usage", "model", "provider", "metadata", "reasoning_blocks")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    REASONING_CONTENT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_DELTAS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    NATIVE_STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REASONING_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    content: str
    reasoning_content: str
    tool_call_deltas: _containers.RepeatedCompositeFieldContainer[_types_pb2.ToolCallDelta]
    tool_calls: _containers.RepeatedCompositeFieldContainer[_types_pb2.ToolCall]
    stop_reason: _types_pb2.StopReason
    native_stop_reason: str
    is_final: bool
    usage: _types_pb2.Usage
    model: str
    provider: str
    metadata: _containers.ScalarMap[str, str]
    reasoning_blocks: _containers.RepeatedCompositeFieldContainer[_types_pb2.ReasoningBlock]
    def __init__(self, content: _Optional[str] = ..., reasoning_content: _Optional[str] = ..., tool_call_deltas: _Optional[_Iterable[_Union[_types_pb2.ToolCallDelta, _Mapping]]] = ..., tool_calls: _Optional[_Iterable[_Union[_types_pb2.ToolCall, _Mapping]]] = ..., stop_reason: _Optional[_Union[_types_pb2.StopReason, str]] = ..., native_stop_reason: _Optional[str] = ..., is_final: bool = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., reasoning_blocks: _Optional[_Iterable[_Union[_types_pb2.ReasoningBlock, _Mapping]]] = ...) -> None: ...

class ConverseRequest(_message.Message):
    __slots__ = ("start", "cancel")
    class StartTurn(_message.Message):
        __slots__ = ("turn_id", "request", "use_history")
        TURN_ID_FIELD_NUMBER: _ClassVar[int]
        REQUEST_FIELD_NUMBER: _ClassVar[int]
        USE_HISTORY_FIELD_NUMBER: _ClassVar[int]
        turn_id: str
        request: ChatRequest
        use_history: bool
        def __init__(self, turn_id: _Optional[str] = ..., request: _Optional[_Union[ChatRequest, _Mapping]] = ..., use_history: bool = ...) -> None: ...
    class CancelTurn(_message.Message):
        __slots__ = ("turn_id",)
        TURN_ID_FIELD_NUMBER: _ClassVar[int]
        turn_id: str
        def __init__(self, turn_id: _Optional[str] = ...) -> None: ...
    START_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    start: ConverseRequest.StartTurn
    cancel: ConverseRequest.CancelTurn
    def __init__(self, start: _Optional[_Union[ConverseRequest.StartTurn, _Mapping]] = ..., cancel: _Optional[_Union[ConverseRequest.CancelTurn, _Mapping]] = ...) -> None: ...

class ConverseResponse(_message.Message):
    __slots__ = ("turn_id", "chunk", "error")
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    turn_id: str
    chunk: StreamChunk
    error: _status_pb2.Status
    def __init__(self, turn_id: _Optional[str] = ..., chunk: _Optional[_Union[StreamChunk, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class ListProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProvidersResponse(_message.Message):
    __slots__ = ("providers", "routes", "default_provider")
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    providers: _containers.RepeatedCompositeFieldContainer[ProviderInfo]
    routes: _containers.RepeatedCompositeFieldContainer[RouteInfo]
    default_provider: str
    def __init__(self, providers: _Optional[_Iterable[_Union[ProviderInfo, _Mapping]]] = ..., routes: _Optional[_Iterable[_Union[RouteInfo, _Mapping]]] = ..., default_provider: _Optional[str] = ...) -> None: ...

class ProviderInfo(_message.Message):
    __slots__ = ("name", "aliases", "wire_type", "description", "default_model", "models", "capabilities", "circuit_state", "demo", "deployments")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    WIRE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CIRCUIT_STATE_FIELD_NUMBER: _ClassVar[int]
    DEMO_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    wire_type: str
    description: str
    default_model: str
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    capabilities: Capabilities
    circuit_state: CircuitState
    demo: bool
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentInfo]
    def __init__(self, name: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., wire_type: _Optional[str] = ..., description: _Optional[str] = ..., default_model: _Optional[str] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., capabilities: _Optional[_Union[Capabilities, _Mapping]] = ..., circuit_state: _Optional[_Union[CircuitState, str]] = ..., demo: bool = ..., deployments: _Optional[_Iterable[_Union[DeploymentInfo, _Mapping]]] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("id", "capabilities")
    ID_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    id: str
    capabilities: Capabilities
    def __init__(self, id: _Optional[str] = ..., capabilities: _Optional[_Union[Capabilities, _Mapping]] = ...) -> None: ...

class Capabilities(_message.Message):
    __slots__ = ("tools", "streaming", "vision", "prompt_caching", "tool_call_format", "context_window", "native_tool_calls", "streaming_tool_calls", "parallel_tool_calls", "json_fallback", "xml_fallback", "thinking", "recommended_max_tools", "tool_choice_param", "argument_format", "embeddings")
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    STREAMING_FIELD_NUMBER: _ClassVar[int]
    VISION_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHING_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    NATIVE_TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    STREAMING_TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    PARALLEL_TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    JSON_FALLBACK_FIELD_NUMBER: _ClassVar[int]
    XML_FALLBACK_FIELD_NUMBER: _ClassVar[int]
    THINKING_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_MAX_TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_PARAM_FIELD_NUMBER: _ClassVar[int]
    ARGUMENT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    tools: bool
    streaming: bool
    vision: bool
    prompt_caching: bool
    tool_call_format: ToolCallFormat
    context_window: int
    native_tool_calls: bool
    streaming_tool_calls: bool
    parallel_tool_calls: bool
    json_fallback: bool
    xml_fallback: bool
    thinking: bool
    recommended_max_tools: int
    tool_choice_param: bool
    argument_format: str
    embeddings: bool
    def __init__(self, tools: bool = ..., streaming: bool = ..., vision: bool = ..., prompt_caching: bool = ..., tool_call_format: _Optional[_Union[ToolCallFormat, str]] = ..., context_window: _Optional[int] = ..., native_tool_calls: bool = ..., streaming_tool_calls: bool = ..., parallel_tool_calls: bool = ..., json_fallback: bool = ..., xml_fallback: bool = ..., thinking: bool = ..., recommended_max_tools: _Optional[int] = ..., tool_choice_param: bool = ..., argument_format: _Optional[str] = ..., embeddings: bool = ...) -> None: ...

class RouteInfo(_message.Message):
    __slots__ = ("name", "targets")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    name: str
    targets: _containers.RepeatedCompositeFieldContainer[RouteTarget]
    def __init__(self, name: _Optional[str] = ..., targets: _Optional[_Iterable[_Union[RouteTarget, _Mapping]]] = ...) -> None: ...

class RouteTarget(_message.Message):
    __slots__ = ("provider", "model")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    provider: str
    model: str
    def __init__(self, provider: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class DeploymentInfo(_message.Message):
    __slots__ = ("id", "key_id", "model", "weight", "circuit_state", "state", "cooldown_remaining_ms", "in_flight", "latency_ms", "host")
    ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    CIRCUIT_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_REMAINING_MS_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    id: str
    key_id: str
    model: str
    weight: int
    circuit_state: CircuitState
    state: str
    cooldown_remaining_ms: int
    in_flight: int
    latency_ms: float
    host: str
    def __init__(self, id: _Optional[str] = ..., key_id: _Optional[str] = ..., model: _Optional[str] = ..., weight: _Optional[int] = ..., circuit_state: _Optional[_Union[CircuitState, str]] = ..., state: _Optional[str] = ..., cooldown_remaining_ms: _Optional[int] = ..., in_flight: _Optional[int] = ..., latency_ms: _Optional[float] = ..., host: _Optional[str] = ...) -> None: ...

class EmbedRequest(_message.Message):
    __slots__ = ("provider", "model", "inputs", "dimensions", "encoding", "extra", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    provider: str
    model: str
    inputs: _containers.RepeatedScalarFieldContainer[str]
    dimensions: int
    encoding: EmbeddingEncoding
    extra: _struct_pb2.Struct
    tags: _containers.ScalarMap[str, str]
    def __init__(self, provider: _Optional[str] = ..., model: _Optional[str] = ..., inputs: _Optional[_Iterable[str]] = ..., dimensions: _Optional[int] = ..., encoding: _Optional[_Union[EmbeddingEncoding, str]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Embedding(_message.Message):
    __slots__ = ("index", "values", "data")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    index: int
    values: _containers.RepeatedScalarFieldContainer[float]
    data: bytes
    def __init__(self, index: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ..., data: _Optional[bytes] = ...) -> None: ...

class EmbedResponse(_message.Message):
    __slots__ = ("embeddings", "model", "provider", "usage", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    embeddings: _containers.RepeatedCompositeFieldContainer[Embedding]
    model: str
    provider: str
    usage: _types_pb2.Usage
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, embeddings: _Optional[_Iterable[_Union[Embedding, _Mapping]]] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CountTokensRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: ChatRequest
    def __init__(self, request: _Optional[_Union[ChatRequest, _Mapping]] = ...) -> None: ...

class CountTokensResponse(_message.Message):
    __slots__ = ("input_tokens", "estimated", "provider", "model")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    estimated: bool
    provider: str
    model: str
    def __init__(self, input_tokens: _Optional[int] = ..., estimated: bool = ..., provider: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...
