// Package gateway is a small Go client for provider-gateway, the gRPC gateway in front of LLM
// providers. It wraps the generated stubs of package providergatewayv1
// (github.com/provider-gateway/provider-gateway/client/go/providergateway/v1):
//
//	client, err := gateway.NewClient("localhost:50051")
//	if err != nil { ... }
//	defer client.Close()
//	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
//	defer cancel()
//	reply, err := client.Chat(ctx, gateway.Request("Hello, gateway"))
//
// Deadlines and cancellation come from the context of each call. Errors are the gRPC status
// errors the gateway returns, so status.FromError works on them; ErrorDetailsOf decodes the
// gateway's google.rpc.ErrorInfo (reason, metadata), RetryInfo and BadRequest details.
package gateway

import (
	"context"
	"errors"
	"io"
	"iter"
	"sync"

	pgv1 "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Client calls the gateway's ProviderService. It is safe for concurrent use; make one per
// target and share it.
type Client struct {
	stub pgv1.ProviderServiceClient
	conn *grpc.ClientConn // set when the client created the connection, and so closes it
}

// NewClient connects to target (host:port) with gRPC's NewClient. Without options it uses a
// plaintext connection; pass grpc.WithTransportCredentials for TLS. Close releases the
// connection.
func NewClient(target string, opts ...grpc.DialOption) (*Client, error) {
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{stub: pgv1.NewProviderServiceClient(conn), conn: conn}, nil
}

// NewFromConn makes a client over a connection the caller owns (and closes).
func NewFromConn(conn grpc.ClientConnInterface) *Client {
	return &Client{stub: pgv1.NewProviderServiceClient(conn)}
}

// Close closes the connection if NewClient created it.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Stub returns the generated stub, for calls this package does not wrap.
func (c *Client) Stub() pgv1.ProviderServiceClient { return c.stub }

// Chat sends a conversation and returns the whole completion. Cancelling ctx cancels the
// upstream request.
func (c *Client) Chat(ctx context.Context, req *pgv1.ChatRequest, opts ...grpc.CallOption) (*pgv1.CompletionResponse, error) {
	return c.stub.Chat(ctx, req, opts...)
}

// ListProviders lists the registered providers, their capabilities and circuit states, and
// the route aliases.
func (c *Client) ListProviders(ctx context.Context, opts ...grpc.CallOption) (*pgv1.ListProvidersResponse, error) {
	return c.stub.ListProviders(ctx, &pgv1.ListProvidersRequest{}, opts...)
}

// Embed turns req.Inputs into embedding vectors, one per input in order, through the same
// routes, breakers and limits as Chat. Build the request with EmbedRequest.
func (c *Client) Embed(ctx context.Context, req *pgv1.EmbedRequest, opts ...grpc.CallOption) (*pgv1.EmbedResponse, error) {
	return c.stub.Embed(ctx, req, opts...)
}

// CountTokens counts the input tokens req would use: the provider's own count where it has
// one (Anthropic, Gemini), otherwise the gateway's local estimate (Estimated is then true).
func (c *Client) CountTokens(ctx context.Context, req *pgv1.ChatRequest, opts ...grpc.CallOption) (*pgv1.CountTokensResponse, error) {
	return c.stub.CountTokens(ctx, &pgv1.CountTokensRequest{Request: req}, opts...)
}

// Stream starts a streamed completion. Read it with Recv or range over All; Close it when done
// (closing before the end cancels the call and the upstream request).
func (c *Client) Stream(ctx context.Context, req *pgv1.ChatRequest, opts ...grpc.CallOption) (*ChunkStream, error) {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.stub.Stream(ctx, req, opts...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &ChunkStream{stream: stream, cancel: cancel}, nil
}

// ChunkStream is the chunks of one Stream call. A successful stream ends with exactly one
// chunk whose IsFinal is true (with the stop reason, usage and complete tool calls), after
// which Recv returns io.EOF. A failed stream returns the gateway's status error instead.
type ChunkStream struct {
	stream grpc.ServerStreamingClient[pgv1.StreamChunk]
	cancel context.CancelFunc
	once   sync.Once
}

// Recv returns the next chunk, io.EOF after the final one, or the call's error.
func (s *ChunkStream) Recv() (*pgv1.StreamChunk, error) {
	return s.stream.Recv()
}

// All ranges over the chunks; it yields one non-nil error (never io.EOF) if the stream fails,
// and closes the stream when the loop ends, early or not.
func (s *ChunkStream) All() iter.Seq2[*pgv1.StreamChunk, error] {
	return func(yield func(*pgv1.StreamChunk, error) bool) {
		defer s.Close()
		for {
			chunk, err := s.stream.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(chunk, nil) {
				return
			}
		}
	}
}

// Close cancels the call if it is still running. It is idempotent and safe to call from any
// goroutine.
func (s *ChunkStream) Close() {
	s.once.Do(s.cancel)
}
