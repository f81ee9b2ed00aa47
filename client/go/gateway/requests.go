package gateway

import (
	pgv1 "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Request returns a ChatRequest with one user message; set the other fields on the result
// (Provider, Model, Tools, ...) as on any generated message.
func Request(userText string) *pgv1.ChatRequest {
	return &pgv1.ChatRequest{Messages: []*pgv1.Message{User(userText)}}
}

// User returns a user message.
func User(content string) *pgv1.Message { return &pgv1.Message{Role: "user", Content: content} }

// System returns a system message.
func System(content string) *pgv1.Message { return &pgv1.Message{Role: "system", Content: content} }

// Assistant returns an assistant message with the tool calls it made.
func Assistant(content string, toolCalls ...*pgv1.ToolCall) *pgv1.Message {
	return &pgv1.Message{Role: "assistant", Content: content, ToolCalls: toolCalls}
}

// ToolResult returns a tool message answering the tool call toolCallID.
func ToolResult(toolCallID, content string) *pgv1.Message {
	return &pgv1.Message{Role: "tool", Content: content, ToolCallId: toolCallID}
}

// Tool returns a tool definition; parameters is a JSON Schema object such as
// {"type": "object", "properties": {...}}.
func Tool(name, description string, parameters map[string]any) (*pgv1.ToolDefinition, error) {
	schema, err := structpb.NewStruct(parameters)
	if err != nil {
		return nil, err
	}
	return &pgv1.ToolDefinition{Name: name, Description: description, Parameters: schema}, nil
}

// Extra returns a google.protobuf.Struct for ChatRequest.Extra, the provider-specific
// parameters passed through as they are.
func Extra(values map[string]any) (*structpb.Struct, error) {
	return structpb.NewStruct(values)
}

// EmbedRequest is an Embed request for inputs with model (an embedding model id, a route alias
// or provider/model).
func EmbedRequest(model string, inputs ...string) *pgv1.EmbedRequest {
	return &pgv1.EmbedRequest{Model: model, Inputs: inputs}
}
