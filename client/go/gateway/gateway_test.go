package gateway_test

// These tests run against the real gateway: TestMain starts server/target/provider-gateway.jar
// (built by `./mvnw package`; PROVIDER_GATEWAY_JAR overrides the path) on a free loopback port
// with its built-in echo provider, and stops it with SIGTERM. Echo's simulated upstream
// failures count towards its circuit breaker (5 in a row open it), so this suite uses one; the
// other error tests use an unknown provider or an invalid request, which are never counted.

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/provider-gateway/provider-gateway/client/go/gateway"
	pgv1 "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

var target string

func TestMain(m *testing.M) {
	stop, err := startGateway()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func startGateway() (stop func(), err error) {
	jar := os.Getenv("PROVIDER_GATEWAY_JAR")
	if jar == "" {
		jar = filepath.Join("..", "..", "..", "server", "target", "provider-gateway.jar")
	}
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("%s not found: build it with ./mvnw -B -q -ntp package -DskipTests", jar)
	}
	dir, err := os.MkdirTemp("", "gateway-go-test")
	if err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(config, []byte("server:\n  host: 127.0.0.1\nresilience:\n  max_retries: 0\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command("java", "-jar", jar, "--config", config, "--port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ports := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`^provider-gateway listening on \S+:(\d+) `)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if m := listening.FindStringSubmatch(scanner.Text()); m != nil {
				ports <- m[1]
			}
		}
		close(ports)
	}()
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
		_ = os.RemoveAll(dir)
	}
	select {
	case port, ok := <-ports:
		if !ok {
			stop()
			return nil, errors.New("the gateway exited before it listened")
		}
		target = "127.0.0.1:" + port
		return stop, nil
	case <-time.After(60 * time.Second):
		stop()
		return nil, errors.New("the gateway did not start within 60s")
	}
}

func newClient(t *testing.T) *gateway.Client {
	t.Helper()
	client, err := gateway.NewClient(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func extra(t *testing.T, values map[string]any) *structpb.Struct {
	t.Helper()
	s, err := gateway.Extra(values)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func weatherTool(t *testing.T) *pgv1.ToolDefinition {
	t.Helper()
	tool, err := gateway.Tool("get_weather", "Returns the weather of a city", map[string]any{
		"type":       "object",
		"properties": map[string]any{"city": map[string]any{"type": "string"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tool
}

func TestChat_echoProvider_returnsTheLastUserMessage(t *testing.T) {
	req := gateway.Request("Hello, gateway")
	req.Provider = "echo"

	reply, err := newClient(t).Chat(testContext(t), req)

	if err != nil {
		t.Fatal(err)
	}
	if reply.GetContent() != "Hello, gateway" || reply.GetStopReason() != pgv1.StopReason_STOP_REASON_STOP {
		t.Fatalf("reply = %v", reply)
	}
	if u := reply.GetUsage(); u.GetTotalTokens() != u.GetPromptTokens()+u.GetCompletionTokens() || u.GetTotalTokens() == 0 {
		t.Fatalf("usage = %v", u)
	}
}

func TestStream_yieldsWordDeltasThenOneFinalChunk(t *testing.T) {
	stream, err := newClient(t).Stream(testContext(t), gateway.Request("streamed word by word"))
	if err != nil {
		t.Fatal(err)
	}
	var deltas []string
	var final *pgv1.StreamChunk
	for chunk, err := range stream.All() {
		if err != nil {
			t.Fatal(err)
		}
		if final != nil {
			t.Fatalf("chunk after the final one: %v", chunk)
		}
		if chunk.GetIsFinal() {
			final = chunk
		} else {
			deltas = append(deltas, chunk.GetContent())
		}
	}
	if got := strings.Join(deltas, "|"); got != "streamed| word| by| word" {
		t.Fatalf("deltas = %q", got)
	}
	if final == nil || final.GetStopReason() != pgv1.StopReason_STOP_REASON_STOP || final.GetUsage().GetCompletionTokens() != 4 {
		t.Fatalf("final = %v", final)
	}
}

func TestChat_withTools_returnsTheToolCall(t *testing.T) {
	req := gateway.Request(`call get_weather {"city":"Paris"}`)
	req.Tools = []*pgv1.ToolDefinition{weatherTool(t)}

	reply, err := newClient(t).Chat(testContext(t), req)

	if err != nil {
		t.Fatal(err)
	}
	if reply.GetStopReason() != pgv1.StopReason_STOP_REASON_TOOL_CALLS || len(reply.GetToolCalls()) != 1 {
		t.Fatalf("reply = %v", reply)
	}
	call := reply.GetToolCalls()[0]
	var args map[string]any
	if err := json.Unmarshal([]byte(call.GetArguments()), &args); err != nil {
		t.Fatal(err)
	}
	if call.GetId() != "echo_call_0" || call.GetName() != "get_weather" || args["city"] != "Paris" {
		t.Fatalf("call = %v", call)
	}
}

func TestStream_withTools_finalChunkCarriesTheCompleteToolCall(t *testing.T) {
	req := gateway.Request(`call get_weather {"city":"Paris"}`)
	req.Tools = []*pgv1.ToolDefinition{weatherTool(t)}
	stream, err := newClient(t).Stream(testContext(t), req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var last *pgv1.StreamChunk
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !chunk.GetIsFinal() && len(chunk.GetToolCalls()) > 0 {
			t.Fatalf("complete tool calls before the final chunk: %v", chunk)
		}
		last = chunk
	}
	if !last.GetIsFinal() || len(last.GetToolCalls()) != 1 || last.GetToolCalls()[0].GetId() != "echo_call_0" {
		t.Fatalf("final = %v", last)
	}
}

func TestConverse_twoConcurrentTurns_oneCancelled_theOtherCompletes(t *testing.T) {
	session, err := newClient(t).Converse(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	defer session.Cancel()

	slowReq := gateway.Request("one two three four five six")
	slowReq.Extra = extra(t, map[string]any{"echo_delay_ms": 300})
	fastReq := gateway.Request("quick answer here")
	fastReq.Extra = extra(t, map[string]any{"echo_delay_ms": 20})
	slow, err := session.StartTurn("slow", slowReq, false)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := session.StartTurn("fast", fastReq, false)
	if err != nil {
		t.Fatal(err)
	}

	first, err := slow.Recv()
	if err != nil || first.GetContent() != "one" {
		t.Fatalf("first slow chunk = %v, %v", first, err)
	}
	if err := slow.Close(); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for chunk, err := range fast.All() {
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.GetContent())
	}
	if text.String() != "quick answer here" {
		t.Fatalf("fast turn = %q", text.String())
	}
	if _, err := slow.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("closed turn Recv = %v, want io.EOF", err)
	}
	// The stream outlives the cancelled turn.
	after, err := session.StartTurn("after", gateway.Request("still open"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range after.All() {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := session.CloseSend(); err != nil {
		t.Fatal(err)
	}
	<-session.Done()
	if err := session.Err(); err != nil {
		t.Fatalf("session ended with %v", err)
	}
}

func TestConverse_failedTurn_failsOnlyThatTurn(t *testing.T) {
	session, err := newClient(t).Converse(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	defer session.Cancel()
	badReq := gateway.Request("x")
	badReq.Provider = "no-such-provider"
	bad, err := session.StartTurn("bad", badReq, false)
	if err != nil {
		t.Fatal(err)
	}
	good, err := session.StartTurn("good", gateway.Request("fine"), false)
	if err != nil {
		t.Fatal(err)
	}

	_, turnErr := bad.Recv()
	if status.Code(turnErr) != codes.NotFound || gateway.Reason(turnErr) != "PROVIDER_NOT_FOUND" {
		t.Fatalf("bad turn error = %v", turnErr)
	}
	for _, err := range good.All() {
		if err != nil {
			t.Fatalf("good turn failed: %v", err)
		}
	}
}

func TestChat_unknownProvider_returnsNotFoundWithReason(t *testing.T) {
	req := gateway.Request("x")
	req.Provider = "nope"

	_, err := newClient(t).Chat(testContext(t), req)

	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.NotFound {
		t.Fatalf("err = %v", err)
	}
	details, _ := gateway.ErrorDetailsOf(err)
	if details.Reason != "PROVIDER_NOT_FOUND" || details.Domain != gateway.Domain || !strings.Contains(details.Message, "echo") {
		t.Fatalf("details = %+v", details)
	}
	if gateway.IsRetryable(err) {
		t.Fatal("an unknown provider is not retryable")
	}
}

func TestChat_invalidRequest_namesTheField(t *testing.T) {
	req := &pgv1.ChatRequest{Messages: []*pgv1.Message{{Role: "robot", Content: "x"}}}

	_, err := newClient(t).Chat(testContext(t), req)

	details, ok := gateway.ErrorDetailsOf(err)
	if !ok || details.Code != codes.InvalidArgument || details.Reason != "INVALID_REQUEST" {
		t.Fatalf("err = %v", err)
	}
	if len(details.FieldViolations) != 1 || details.FieldViolations[0].GetField() != "messages[0].role" {
		t.Fatalf("violations = %v", details.FieldViolations)
	}
}

func TestChat_rateLimit_carriesReasonAndRetryDelay(t *testing.T) {
	// This suite's one simulated upstream failure.
	req := gateway.Request("x")
	// Its own model: a 429 cools its (provider, model) down for the Retry-After period.
	req.Model = "echo-rate-limited"
	req.Extra = extra(t, map[string]any{"echo_error": "PROVIDER_RATE_LIMIT", "echo_retry_after_ms": 1500})

	_, err := newClient(t).Chat(testContext(t), req)

	if status.Code(err) != codes.ResourceExhausted || gateway.Reason(err) != "PROVIDER_RATE_LIMIT" {
		t.Fatalf("err = %v", err)
	}
	if delay, ok := gateway.RetryDelay(err); !ok || delay != 1500*time.Millisecond {
		t.Fatalf("retry delay = %v, %v", delay, ok)
	}
	if !gateway.IsRetryable(err) {
		t.Fatal("a rate limit with a retry delay is retryable")
	}
	if details, _ := gateway.ErrorDetailsOf(err); details.Metadata["provider"] != "echo" {
		t.Fatalf("metadata = %v", details.Metadata)
	}
}

func TestChat_deadlineExpires_returnsDeadlineExceeded(t *testing.T) {
	req := gateway.Request("too slow")
	req.Extra = extra(t, map[string]any{"echo_delay_ms": 5000})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	started := time.Now()

	_, err := newClient(t).Chat(ctx, req)

	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	if elapsed := time.Since(started); elapsed > 3*time.Second {
		t.Fatalf("the deadline took %v", elapsed)
	}
}

func TestStream_closedEarly_cancelsTheCall(t *testing.T) {
	req := gateway.Request("a b c d e f g h i j")
	req.Extra = extra(t, map[string]any{"echo_delay_ms": 200})
	stream, err := newClient(t).Stream(testContext(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if first, err := stream.Recv(); err != nil || first.GetContent() != "a" {
		t.Fatalf("first = %v, %v", first, err)
	}

	stream.Close()

	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("Recv after Close = %v, want Canceled", err)
	}
}

func TestListProviders_listsEchoAsTheDefault(t *testing.T) {
	providers, err := newClient(t).ListProviders(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if providers.GetDefaultProvider() != "echo" {
		t.Fatalf("default = %q", providers.GetDefaultProvider())
	}
}

func TestErrorDetailsOf_nonStatusError_isNotOK(t *testing.T) {
	if _, ok := gateway.ErrorDetailsOf(errors.New("plain")); ok {
		t.Fatal("a plain error has no gRPC status")
	}
	if gateway.Reason(nil) != "" || gateway.IsRetryable(nil) {
		t.Fatal("nil has no reason")
	}
}

func TestEmbed_echoProvider_oneUnitVectorPerInputInOrder(t *testing.T) {
	req := gateway.EmbedRequest("echo/echo-1", "first text", "second text")

	resp, err := newClient(t).Embed(testContext(t), req)

	if err != nil {
		t.Fatal(err)
	}
	if resp.GetProvider() != "echo" || len(resp.GetEmbeddings()) != 2 {
		t.Fatalf("resp = %v", resp)
	}
	for i, e := range resp.GetEmbeddings() {
		if int(e.GetIndex()) != i || len(e.GetValues()) != 8 {
			t.Fatalf("embedding %d = %v", i, e)
		}
		var norm float64
		for _, v := range e.GetValues() {
			norm += float64(v) * float64(v)
		}
		if norm < 0.999 || norm > 1.001 {
			t.Fatalf("embedding %d has squared norm %v, want 1", i, norm)
		}
	}
}

func TestEmbed_base64Encoding_littleEndianFloat32Bytes(t *testing.T) {
	client := newClient(t)
	floats, err := client.Embed(testContext(t), gateway.EmbedRequest("echo/echo-1", "x"))
	if err != nil {
		t.Fatal(err)
	}
	req := gateway.EmbedRequest("echo/echo-1", "x")
	req.Encoding = pgv1.EmbeddingEncoding_EMBEDDING_ENCODING_BASE64

	raw, err := client.Embed(testContext(t), req)

	if err != nil {
		t.Fatal(err)
	}
	data := raw.GetEmbeddings()[0].GetData()
	want := floats.GetEmbeddings()[0].GetValues()
	if len(data) != 4*len(want) {
		t.Fatalf("len(data) = %d, want %d", len(data), 4*len(want))
	}
	for i, v := range want {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])); got != v {
			t.Fatalf("value %d = %v, want %v", i, got, v)
		}
	}
}

func TestEmbed_noInputs_invalidArgumentNamingInputs(t *testing.T) {
	_, err := newClient(t).Embed(testContext(t), gateway.EmbedRequest("echo/echo-1"))

	details, ok := gateway.ErrorDetailsOf(err)
	if !ok || details.Code != codes.InvalidArgument || len(details.FieldViolations) != 1 ||
		details.FieldViolations[0].GetField() != "inputs" {
		t.Fatalf("err = %v", err)
	}
}

func TestCountTokens_echoProvider_localEstimateMarkedEstimated(t *testing.T) {
	req := gateway.Request("abcdefghijklmnop")
	req.Provider = "echo"

	resp, err := newClient(t).CountTokens(testContext(t), req)

	if err != nil {
		t.Fatal(err)
	}
	if !resp.GetEstimated() || resp.GetInputTokens() != 8 || resp.GetProvider() != "echo" {
		t.Fatalf("resp = %v", resp)
	}
}
