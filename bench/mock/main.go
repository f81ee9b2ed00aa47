// Command mock is a fast fake LLM upstream for the benchmarks: it speaks OpenAI Chat Completions
// (POST /v1/chat/completions) and Anthropic Messages (POST /v1/messages), streaming (SSE) and not.
//
// Knobs come from flags (the defaults) and can be overridden per request through the model name,
// whose dash-separated segments are read as settings, so a gateway that passes the model through
// can select them: "bench-t64-i5" streams 64 tokens 5 ms apart. Segments:
//
//	t<N>    tokens per response (completion words)
//	i<MS>   milliseconds between streamed tokens (SSE pacing); iu<US> for microseconds
//	l<MS>   milliseconds before the response (or the first streamed byte)
//	e<PCT>  percent of requests answered with an upstream error (500)
//	q<PCT>  percent of requests answered 429 (rate limited, Retry-After: 1)
//	s<N>    stall: a stream hangs after N tokens (a unary call before its body), sending nothing
//	        more until the client goes away (at most 10 minutes)
//	d<N>    disconnect: the connection is dropped after N streamed tokens (a unary call: before
//	        its body), without the end of the response
//
// It prints "mock listening on ADDR" once it accepts connections, and GET /stats reports the
// requests it served, so the harness can show the mock's own throughput.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type knobs struct {
	tokens    int
	interval  time.Duration
	latency   time.Duration
	errorRate float64
	limitRate float64 // fraction answered 429
	stallAt   int     // stall after this many tokens; -1: never
	dropAt    int     // drop the connection after this many tokens; -1: never
}

var (
	defaults knobs
	served   atomic.Int64
	streamed atomic.Int64 // tokens written on streams
	errored  atomic.Int64
	active   atomic.Int64 // streams open now
	limited  atomic.Int64 // 429s
	stalled  atomic.Int64 // responses that hung (s<N>)
	dropped  atomic.Int64 // connections dropped mid-response (d<N>)
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	addrFile := flag.String("addr-file", "", "write the bound address to this file")
	flag.IntVar(&defaults.tokens, "tokens", 16, "tokens per response")
	flag.DurationVar(&defaults.interval, "interval", 0, "delay between streamed tokens")
	flag.DurationVar(&defaults.latency, "latency", 0, "delay before the response")
	flag.Float64Var(&defaults.errorRate, "error-rate", 0, "fraction of requests that fail with 500 (0..1)")
	flag.Parse()
	defaults.stallAt, defaults.dropAt = -1, -1

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", openAI)
	mux.HandleFunc("POST /chat/completions", openAI)
	mux.HandleFunc("POST /v1/messages", anthropic)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"bench","object":"model","owned_by":"mock"}]}`)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		fmt.Fprintf(w, `{"requests":%d,"stream_tokens":%d,"errors":%d,"active_streams":%d,"rate_limited":%d,"stalled":%d,"disconnected":%d}`,
			served.Load(), streamed.Load(), errored.Load(), active.Load(), limited.Load(), stalled.Load(), dropped.Load())
	})
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("mock listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	log.Fatal(srv.Serve(ln))
}

// request is the part of either wire format the mock reads.
type request struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func readRequest(w http.ResponseWriter, r *http.Request) (request, knobs, bool) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	var req request
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return req, defaults, false
	}
	if err := json.Unmarshal(buf.Bytes(), &req); err != nil {
		http.Error(w, `{"error":{"message":"bad json","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return req, defaults, false
	}
	served.Add(1)
	if req.Model == "" {
		req.Model = "bench"
	}
	return req, knobsFor(req.Model), true
}

var knobCache sync.Map // model -> knobs

func knobsFor(model string) knobs {
	if k, ok := knobCache.Load(model); ok {
		return k.(knobs)
	}
	k := defaults
	for _, seg := range strings.Split(model, "-") {
		if len(seg) < 2 {
			continue
		}
		switch {
		case seg[0] == 't':
			if n, err := strconv.Atoi(seg[1:]); err == nil {
				k.tokens = n
			}
		case strings.HasPrefix(seg, "iu"):
			if n, err := strconv.Atoi(seg[2:]); err == nil {
				k.interval = time.Duration(n) * time.Microsecond
			}
		case seg[0] == 'i':
			if n, err := strconv.Atoi(seg[1:]); err == nil {
				k.interval = time.Duration(n) * time.Millisecond
			}
		case seg[0] == 'l':
			if n, err := strconv.Atoi(seg[1:]); err == nil {
				k.latency = time.Duration(n) * time.Millisecond
			}
		case seg[0] == 'e':
			if n, err := strconv.ParseFloat(seg[1:], 64); err == nil {
				k.errorRate = n / 100
			}
		case seg[0] == 'q':
			if n, err := strconv.ParseFloat(seg[1:], 64); err == nil {
				k.limitRate = n / 100
			}
		case seg[0] == 's':
			if n, err := strconv.Atoi(seg[1:]); err == nil {
				k.stallAt = n
			}
		case seg[0] == 'd':
			if n, err := strconv.Atoi(seg[1:]); err == nil {
				k.dropAt = n
			}
		}
	}
	knobCache.Store(model, k)
	return k
}

// wait sleeps d unless the client goes away first; false when it went away.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func fails(k knobs) bool {
	return k.errorRate > 0 && rand.Float64() < k.errorRate
}

// rateLimited answers 429 (in the provider's error format) for k.limitRate of the requests.
func rateLimited(w http.ResponseWriter, k knobs, body string) bool {
	if k.limitRate <= 0 || rand.Float64() >= k.limitRate {
		return false
	}
	limited.Add(1)
	w.Header().Set("content-type", "application/json")
	w.Header().Set("retry-after", "1")
	w.WriteHeader(http.StatusTooManyRequests)
	io.WriteString(w, body)
	return true
}

// fault applies the s<N> and d<N> knobs once n tokens were written: it stalls until the client
// goes away (at most 10 minutes), or drops the connection without ending the response. It
// returns false when the handler must stop.
func fault(w http.ResponseWriter, r *http.Request, k knobs, n int) bool {
	switch {
	case k.dropAt == n:
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		dropped.Add(1)
		panic(http.ErrAbortHandler) // net/http closes the connection, logging nothing
	case k.stallAt == n:
		if f, ok := w.(http.Flusher); ok && n > 0 {
			f.Flush()
		}
		stalled.Add(1)
		wait(r, 10*time.Minute)
		return false
	}
	return true
}

const word = " lorem"

func text(n int) string { return strings.Repeat(word, n) }

// ---- OpenAI Chat Completions ----

var bodyCache sync.Map // "o|"+model or "a|"+model -> []byte

func openAI(w http.ResponseWriter, r *http.Request) {
	req, k, ok := readRequest(w, r)
	if !ok {
		return
	}
	if !wait(r, k.latency) {
		return
	}
	if fails(k) {
		errored.Add(1)
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"message":"mock upstream error","type":"server_error","code":null}}`)
		return
	}
	if rateLimited(w, k, `{"error":{"message":"mock rate limit","type":"rate_limit_error","code":"rate_limit_exceeded"}}`) {
		return
	}
	if !req.Stream {
		if !fault(w, r, k, 0) {
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write(cached("o|"+req.Model, func() []byte {
			return fmt.Appendf(nil, `{"id":"chatcmpl-mock","object":"chat.completion","created":1700000000,"model":%q,`+
				`"choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],`+
				`"usage":{"prompt_tokens":8,"completion_tokens":%d,"total_tokens":%d}}`,
				req.Model, text(k.tokens), k.tokens, k.tokens+8)
		}))
		return
	}
	flusher := w.(http.Flusher)
	h := w.Header()
	h.Set("content-type", "text/event-stream")
	h.Set("cache-control", "no-cache")
	active.Add(1)
	defer active.Add(-1)
	m, _ := json.Marshal(req.Model)
	pre := `data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":` + string(m) + `,"choices":[{"index":0,`
	io.WriteString(w, pre+`"delta":{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n")
	flusher.Flush()
	tok := []byte(pre + `"delta":{"content":"` + word + `"},"finish_reason":null}]}` + "\n\n")
	for i := 0; i < k.tokens; i++ {
		if !fault(w, r, k, i) {
			return
		}
		if k.interval > 0 {
			if !wait(r, k.interval) {
				return
			}
		}
		if _, err := w.Write(tok); err != nil {
			return
		}
		streamed.Add(1)
		if k.interval > 0 {
			flusher.Flush()
		}
	}
	io.WriteString(w, pre+`"delta":{},"finish_reason":"stop"}]}`+"\n\n")
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		fmt.Fprintf(w, `data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":%s,"choices":[],`+
			`"usage":{"prompt_tokens":8,"completion_tokens":%d,"total_tokens":%d}}`+"\n\n", m, k.tokens, k.tokens+8)
	}
	io.WriteString(w, "data: [DONE]\n\n")
}

// ---- Anthropic Messages ----

func anthropic(w http.ResponseWriter, r *http.Request) {
	req, k, ok := readRequest(w, r)
	if !ok {
		return
	}
	if !wait(r, k.latency) {
		return
	}
	if fails(k) {
		errored.Add(1)
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"mock upstream error"}}`)
		return
	}
	if rateLimited(w, k, `{"type":"error","error":{"type":"rate_limit_error","message":"mock rate limit"}}`) {
		return
	}
	if !req.Stream {
		if !fault(w, r, k, 0) {
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write(cached("a|"+req.Model, func() []byte {
			return fmt.Appendf(nil, `{"id":"msg_mock","type":"message","role":"assistant","model":%q,`+
				`"content":[{"type":"text","text":%q}],"stop_reason":"end_turn","stop_sequence":null,`+
				`"usage":{"input_tokens":8,"output_tokens":%d}}`, req.Model, text(k.tokens), k.tokens)
		}))
		return
	}
	flusher := w.(http.Flusher)
	h := w.Header()
	h.Set("content-type", "text/event-stream")
	h.Set("cache-control", "no-cache")
	active.Add(1)
	defer active.Add(-1)
	m, _ := json.Marshal(req.Model)
	fmt.Fprintf(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock\",\"type\":\"message\","+
		"\"role\":\"assistant\",\"model\":%s,\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"+
		"\"usage\":{\"input_tokens\":8,\"output_tokens\":1}}}\n\n", m)
	io.WriteString(w, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	io.WriteString(w, "event: ping\ndata: {\"type\":\"ping\"}\n\n")
	flusher.Flush()
	tok := []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + word + "\"}}\n\n")
	for i := 0; i < k.tokens; i++ {
		if !fault(w, r, k, i) {
			return
		}
		if k.interval > 0 {
			if !wait(r, k.interval) {
				return
			}
		}
		if _, err := w.Write(tok); err != nil {
			return
		}
		streamed.Add(1)
		if k.interval > 0 {
			flusher.Flush()
		}
	}
	io.WriteString(w, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	fmt.Fprintf(w, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"+
		"\"usage\":{\"output_tokens\":%d}}\n\n", k.tokens)
	io.WriteString(w, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
}

func cached(key string, build func() []byte) []byte {
	if b, ok := bodyCache.Load(key); ok {
		return b.([]byte)
	}
	b := build()
	bodyCache.Store(key, b)
	return b
}
