// Command loadgen drives the gateway (gRPC) and HTTP upstreams/peers (OpenAI wire format) for the
// benchmarks and prints one JSON object per run on stdout.
//
// Load is either open loop (-rate R: requests are started on a fixed schedule whatever the
// responses do, and latency counts from the scheduled start, so queueing is not hidden) or closed
// loop (-rate 0: -concurrency workers each send the next request when the last one returns).
// Latencies are kept whole (no sampling) and the percentiles are exact.
//
// Modes:
//
//	grpc-chat    unary Chat                       http-chat    POST /chat/completions
//	grpc-health  grpc.health.v1 Check (bare gRPC) http-stream  POST /chat/completions, stream
//	grpc-stream  server-streaming Stream          hold         N concurrent long-lived Streams
//	coldstart    start a command, time it to SERVING, then its idle resident memory
//	soak         mixed traffic for -duration while the gateway's resources are sampled (soak.go)
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	pb "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

type config struct {
	mode, name, target, url, provider, model, prompt, auth string
	rate                                                   float64
	concurrency, conns, streams, runs                      int
	duration, warmup, readDelay, hold, idle                time.Duration
	pids, cmd                                              string
	window                                                 int
	headers                                                headerList
	// soak
	scale                      float64
	sampleEvery, reloadEvery   time.Duration
	upstreamPort               int
	configFile, configTemplate string
}

// headerList is a repeatable -header "name: value" flag (http modes), split once when parsed.
type headerList [][2]string

func (h *headerList) String() string {
	s := make([]string, len(*h))
	for i, kv := range *h {
		s[i] = kv[0] + ": " + kv[1]
	}
	return strings.Join(s, ", ")
}

func (h *headerList) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if k = strings.TrimSpace(k); !ok || k == "" {
		return fmt.Errorf("want \"name: value\", got %q", v)
	}
	*h = append(*h, [2]string{k, strings.TrimSpace(val)})
	return nil
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "grpc-chat", "grpc-chat|grpc-health|grpc-stream|http-chat|http-stream|hold|coldstart|soak")
	flag.StringVar(&c.name, "name", "", "label copied into the result")
	flag.StringVar(&c.target, "target", "127.0.0.1:50051", "gRPC host:port")
	flag.StringVar(&c.url, "url", "", "HTTP URL of a chat completions endpoint")
	flag.StringVar(&c.auth, "auth", "", "HTTP authorization header value")
	flag.Var(&c.headers, "header", "extra HTTP header \"name: value\" (repeatable)")
	flag.StringVar(&c.provider, "provider", "", "ChatRequest.provider")
	flag.StringVar(&c.model, "model", "", "ChatRequest.model / the JSON model")
	flag.StringVar(&c.prompt, "prompt", "Say something about benchmarks", "the user message")
	flag.Float64Var(&c.rate, "rate", 0, "requests (or streams) per second, open loop; 0 = closed loop")
	flag.IntVar(&c.concurrency, "concurrency", 16, "closed loop: workers; open loop: the most requests in flight")
	flag.IntVar(&c.conns, "conns", 4, "gRPC connections (HTTP/2) to spread calls over")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "measured time")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "load before the measured time, not counted")
	flag.StringVar(&c.pids, "pids", "", "name=pid,... whose CPU time and memory are reported")
	flag.IntVar(&c.streams, "streams", 1000, "hold: concurrent streams")
	flag.DurationVar(&c.hold, "hold", 10*time.Second, "hold: how long all streams stay open")
	flag.DurationVar(&c.readDelay, "read-delay", 0, "stream modes: pause after each message read (slow reader)")
	flag.IntVar(&c.window, "window", 0, "gRPC stream flow-control window in bytes (0 = grpc-go default, dynamic)")
	flag.StringVar(&c.cmd, "cmd", "", "coldstart: the command to start (split on spaces)")
	flag.IntVar(&c.runs, "runs", 3, "coldstart: repetitions")
	flag.DurationVar(&c.idle, "idle", 3*time.Second, "coldstart: idle time before resident memory is read")
	flag.Float64Var(&c.scale, "scale", 1, "soak: multiplies every kind's rate")
	flag.DurationVar(&c.sampleEvery, "sample-every", 30*time.Second, "soak: time between resource samples")
	flag.DurationVar(&c.reloadEvery, "reload-every", 0, "soak: rewrite -config from -config-template this often (0: never)")
	flag.IntVar(&c.upstreamPort, "upstream-port", 0, "soak: count the gateway's ESTABLISHED connections to this port")
	flag.StringVar(&c.configFile, "config", "", "soak: the gateway's config file, rewritten atomically on each reload")
	flag.StringVar(&c.configTemplate, "config-template", "", "soak: the config's text, __GEN__ replaced by the reload number")
	flag.Parse()

	var out map[string]any
	var err error
	switch c.mode {
	case "grpc-chat", "grpc-health", "grpc-stream", "http-chat", "http-stream":
		out, err = runLoad(c)
	case "hold":
		out, err = runHold(c)
	case "coldstart":
		out, err = runColdStart(c)
	case "soak":
		out, err = runSoak(c)
	default:
		err = fmt.Errorf("unknown mode %q", c.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	out["name"] = c.name
	out["mode"] = c.mode
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

// ---- one request of each kind ----

// outcome of one request: ttft is the time to the first content (streams only).
type outcome struct {
	ttft   time.Duration
	tokens int
	err    error
}

type caller func(ctx context.Context) outcome

func dialAll(c config) ([]*grpc.ClientConn, error) {
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if c.window > 0 {
		opts = append(opts, grpc.WithInitialWindowSize(int32(c.window)), grpc.WithInitialConnWindowSize(int32(c.window)*4))
	}
	conns := make([]*grpc.ClientConn, c.conns)
	for i := range conns {
		cc, err := grpc.NewClient(c.target, opts...)
		if err != nil {
			return nil, err
		}
		cc.Connect()
		conns[i] = cc
	}
	return conns, nil
}

func chatRequest(c config) *pb.ChatRequest {
	return &pb.ChatRequest{
		Provider: c.provider,
		Model:    c.model,
		Messages: []*pb.Message{{Role: "user", Content: c.prompt}},
	}
}

func newCaller(c config) (caller, func(), error) {
	switch c.mode {
	case "http-chat", "http-stream":
		stream := c.mode == "http-stream"
		body, _ := json.Marshal(map[string]any{
			"model":    c.model,
			"messages": []map[string]string{{"role": "user", "content": c.prompt}},
			"stream":   stream,
		})
		tr := &http.Transport{MaxIdleConns: 0, MaxIdleConnsPerHost: 100000, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}
		client := &http.Client{Transport: tr}
		call := func(ctx context.Context) outcome {
			start := time.Now()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
			req.Header.Set("content-type", "application/json")
			if c.auth != "" {
				req.Header.Set("authorization", c.auth)
			}
			for _, kv := range c.headers {
				req.Header.Set(kv[0], kv[1])
			}
			resp, err := client.Do(req)
			if err != nil {
				return outcome{err: err}
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				io.Copy(io.Discard, resp.Body)
				return outcome{err: fmt.Errorf("http %d", resp.StatusCode)}
			}
			if !stream {
				_, err = io.Copy(io.Discard, resp.Body)
				return outcome{err: err}
			}
			var o outcome
			r := bufio.NewReaderSize(resp.Body, 16<<10)
			for {
				line, err := r.ReadSlice('\n')
				if len(line) > 5 && bytes.HasPrefix(line, []byte("data:")) && bytes.Contains(line, []byte(`"content":"`)) &&
					!bytes.Contains(line, []byte(`"content":""`)) {
					if o.tokens == 0 {
						o.ttft = time.Since(start)
					}
					o.tokens++
					if c.readDelay > 0 {
						time.Sleep(c.readDelay)
					}
				}
				if err != nil {
					if err == io.EOF {
						err = nil
					}
					o.err = err
					return o
				}
			}
		}
		return call, tr.CloseIdleConnections, nil
	}
	conns, err := dialAll(c)
	if err != nil {
		return nil, nil, err
	}
	closeAll := func() {
		for _, cc := range conns {
			cc.Close()
		}
	}
	var next atomic.Uint64
	pick := func() *grpc.ClientConn { return conns[next.Add(1)%uint64(len(conns))] }
	req := chatRequest(c)
	switch c.mode {
	case "grpc-health":
		hreq := &healthpb.HealthCheckRequest{}
		return func(ctx context.Context) outcome {
			_, err := healthpb.NewHealthClient(pick()).Check(ctx, hreq)
			return outcome{err: err}
		}, closeAll, nil
	case "grpc-chat":
		return func(ctx context.Context) outcome {
			_, err := pb.NewProviderServiceClient(pick()).Chat(ctx, req)
			return outcome{err: err}
		}, closeAll, nil
	default: // grpc-stream
		return func(ctx context.Context) outcome {
			return streamOnce(ctx, pb.NewProviderServiceClient(pick()), req, c.readDelay, nil, nil)
		}, closeAll, nil
	}
}

// streamOnce reads one Stream to its end; started (if set) is closed at the first content.
// Tokens are also added to live (if set) as they arrive. After ctx ends it stops at once, without
// draining what the client library buffered.
func streamOnce(ctx context.Context, client pb.ProviderServiceClient, req *pb.ChatRequest, readDelay time.Duration, started chan<- struct{}, live *atomic.Int64) outcome {
	start := time.Now()
	st, err := client.Stream(ctx, req)
	if err != nil {
		return outcome{err: err}
	}
	var o outcome
	for {
		if ctx.Err() != nil {
			o.err = ctx.Err()
			return o
		}
		chunk, err := st.Recv()
		if err == io.EOF {
			if o.tokens == 0 {
				o.err = errors.New("stream ended without content")
			}
			return o
		}
		if err != nil {
			o.err = err
			return o
		}
		if chunk.GetContent() != "" {
			if o.tokens == 0 {
				o.ttft = time.Since(start)
				if started != nil {
					close(started)
					started = nil
				}
			}
			o.tokens++
			if live != nil {
				live.Add(1)
			}
		}
		if readDelay > 0 {
			time.Sleep(readDelay)
		}
	}
}

// ---- open and closed loop ----

type recorder struct {
	mu      sync.Mutex
	lat     []time.Duration
	ttft    []time.Duration
	tokens  int64
	errs    int64
	lastErr string
}

func (r *recorder) add(lat time.Duration, o outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o.err != nil {
		r.errs++
		r.lastErr = o.err.Error()
		return
	}
	r.lat = append(r.lat, lat)
	if o.tokens > 0 {
		r.ttft = append(r.ttft, o.ttft)
		r.tokens += int64(o.tokens)
	}
}

func runLoad(c config) (map[string]any, error) {
	call, closeFn, err := newCaller(c)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	procs := parsePids(c.pids)
	rec := &recorder{}
	var dropped atomic.Int64
	start := time.Now()
	measureFrom := start.Add(c.warmup)
	end := measureFrom.Add(c.duration)
	var cpu0 map[string]cpuSample
	var self0 cpuSample
	var once sync.Once
	markStart := func() {
		once.Do(func() {
			cpu0 = sampleAll(procs)
			self0 = selfCPU()
		})
	}
	var wg sync.WaitGroup
	ctx := context.Background()
	if c.rate > 0 {
		sem := make(chan struct{}, c.concurrency)
		interval := time.Duration(float64(time.Second) / c.rate)
		for i := int64(0); ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if !due.Before(end) {
				break
			}
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			if !due.Before(measureFrom) {
				markStart()
			}
			select {
			case sem <- struct{}{}:
			default:
				if !due.Before(measureFrom) {
					dropped.Add(1)
				}
				continue
			}
			wg.Add(1)
			go func(due time.Time) {
				defer wg.Done()
				o := call(ctx)
				lat := time.Since(due)
				<-sem
				if !due.Before(measureFrom) {
					rec.add(lat, o)
				}
			}(due)
		}
	} else {
		for w := 0; w < c.concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					t := time.Now()
					if !t.Before(end) {
						return
					}
					o := call(ctx)
					if !t.Before(measureFrom) {
						markStart()
						rec.add(time.Since(t), o)
					}
				}
			}()
		}
		time.Sleep(time.Until(measureFrom))
		markStart()
	}
	time.Sleep(time.Until(end))
	cpu1 := sampleAll(procs)
	self1 := selfCPU()
	elapsed := c.duration.Seconds()
	wg.Wait()

	n := len(rec.lat)
	out := map[string]any{
		"rate":         c.rate,
		"concurrency":  c.concurrency,
		"duration_s":   elapsed,
		"requests":     n,
		"errors":       rec.errs,
		"dropped":      dropped.Load(),
		"throughput":   float64(n) / elapsed,
		"loadgen_cpu":  (self1.sub(self0)).seconds() / elapsed,
		"last_error":   rec.lastErr,
		"percentiles":  percentiles(rec.lat),
		"model":        c.model,
		"provider":     c.provider,
		"read_delay_s": c.readDelay.Seconds(),
	}
	if rec.tokens > 0 {
		out["tokens"] = rec.tokens
		out["tokens_per_s"] = float64(rec.tokens) / elapsed
		out["ttft"] = percentiles(rec.ttft)
	}
	addProcs(out, procs, cpu0, cpu1, elapsed, n, rec.tokens)
	return out, nil
}

func percentiles(d []time.Duration) map[string]float64 {
	if len(d) == 0 {
		return map[string]float64{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		if i < 0 {
			i = 0
		}
		return float64(d[i].Microseconds()) / 1000
	}
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return map[string]float64{
		"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "p999": at(0.999), "max": at(1),
		"mean": float64(sum.Microseconds()) / float64(len(d)) / 1000,
	}
}

// ---- long-lived streams ----

func runHold(c config) (map[string]any, error) {
	if c.conns*900 < c.streams {
		c.conns = (c.streams + 899) / 900 // the gateway's default is 1000 calls per connection
	}
	conns, err := dialAll(c)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, cc := range conns {
			cc.Close()
		}
	}()
	procs := parsePids(c.pids)
	mem0 := memAll(procs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := chatRequest(c)
	var established, failed, tokens atomic.Int64
	var lastErr atomic.Value
	var wg sync.WaitGroup
	openStart := time.Now()
	rate := c.rate
	if rate <= 0 {
		rate = 2000
	}
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; i < c.streams; i++ {
		if d := time.Until(openStart.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(cc *grpc.ClientConn) {
			defer wg.Done()
			started := make(chan struct{})
			go func() {
				select {
				case <-started:
					established.Add(1)
				case <-ctx.Done():
				}
			}()
			o := streamOnce(ctx, pb.NewProviderServiceClient(cc), req, c.readDelay, started, &tokens)
			if o.err != nil && ctx.Err() == nil {
				failed.Add(1)
				lastErr.Store(o.err.Error())
			}
		}(conns[i%len(conns)])
	}
	// All streams are open once each has relayed its first token.
	deadline := time.Now().Add(60 * time.Second)
	for established.Load()+failed.Load() < int64(c.streams) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	openTime := time.Since(openStart)
	mem1 := memAll(procs)
	cpu0 := sampleAll(procs)
	tok0 := tokens.Load()
	time.Sleep(c.hold)
	cpu1 := sampleAll(procs)
	mem2 := memAll(procs)
	estab := established.Load()
	tok1 := tokens.Load()
	cancel()
	wg.Wait()
	out := map[string]any{
		"streams":     c.streams,
		"established": estab,
		"failed":      failed.Load(),
		"open_s":      openTime.Seconds(),
		"hold_s":      c.hold.Seconds(),
		"tokens":      tok1 - tok0,
		"model":       c.model,
		"provider":    c.provider,
	}
	if e, ok := lastErr.Load().(string); ok {
		out["last_error"] = e
	}
	for name, pid := range procs {
		p := map[string]any{
			"rss_before_mb": mem0[name] / 1024,
			"rss_open_mb":   mem1[name] / 1024,
			"rss_end_mb":    mem2[name] / 1024,
			"cpu_util":      cpu1[name].sub(cpu0[name]).seconds() / c.hold.Seconds(),
			"pid":           pid,
		}
		if estab > 0 {
			p["kb_per_stream"] = float64(mem2[name]-mem0[name]) / float64(estab)
		}
		out[name] = p
	}
	return out, nil
}

// ---- cold start ----

func runColdStart(c config) (map[string]any, error) {
	args := strings.Fields(c.cmd)
	if len(args) == 0 {
		return nil, errors.New("coldstart needs -cmd")
	}
	var starts, rss []float64
	for i := 0; i < c.runs; i++ {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		err := waitServing(c.target, 30*time.Second)
		took := time.Since(t0)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, err
		}
		time.Sleep(c.idle)
		kb := rssKB(cmd.Process.Pid)
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		starts = append(starts, took.Seconds())
		rss = append(rss, float64(kb)/1024)
	}
	sort.Float64s(starts)
	sort.Float64s(rss)
	return map[string]any{
		"runs":           c.runs,
		"start_s_median": starts[len(starts)/2],
		"start_s_min":    starts[0],
		"start_s_all":    starts,
		"idle_rss_mb":    rss[len(rss)/2],
		"cmd":            c.cmd,
	}, nil
}

func waitServing(target string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		nc, err := net.DialTimeout("tcp", target, 50*time.Millisecond)
		if err != nil {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		nc.Close()
		cc, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		cc.Close()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s not SERVING within %s", target, limit)
}

// ---- process accounting (Linux /proc) ----

type cpuSample struct{ user, sys time.Duration }

func (a cpuSample) sub(b cpuSample) cpuSample { return cpuSample{a.user - b.user, a.sys - b.sys} }
func (a cpuSample) seconds() float64          { return (a.user + a.sys).Seconds() }

const clockTick = 100 // USER_HZ on Linux

func procCPU(pid int) cpuSample {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuSample{}
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64) // utime is field 14, f[0] is field 3
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return cpuSample{time.Duration(u) * time.Second / clockTick, time.Duration(k) * time.Second / clockTick}
}

func selfCPU() cpuSample {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuSample{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

func parsePids(s string) map[string]int {
	m := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		name, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if pid, err := strconv.Atoi(v); err == nil {
			m[name] = pid
		}
	}
	return m
}

func sampleAll(procs map[string]int) map[string]cpuSample {
	m := map[string]cpuSample{}
	for name, pid := range procs {
		m[name] = procCPU(pid)
	}
	return m
}

func memAll(procs map[string]int) map[string]int64 {
	m := map[string]int64{}
	for name, pid := range procs {
		m[name] = rssKB(pid)
	}
	return m
}

func addProcs(out map[string]any, procs map[string]int, cpu0, cpu1 map[string]cpuSample, elapsed float64, n int, tokens int64) {
	for name, pid := range procs {
		used := cpu1[name].sub(cpu0[name]).seconds()
		p := map[string]any{"cpu_util": used / elapsed, "rss_mb": float64(rssKB(pid)) / 1024, "pid": pid}
		if n > 0 {
			p["cpu_us_per_req"] = used * 1e6 / float64(n)
		}
		if tokens > 0 {
			p["cpu_us_per_token"] = used * 1e6 / float64(tokens)
		}
		out[name] = p
	}
}
