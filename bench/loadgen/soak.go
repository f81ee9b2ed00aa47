package main

// The soak mode: mixed traffic for a long time while the gateway's resources are sampled.
//
// For -duration it drives a fixed mix of kinds of calls, each open loop at its own rate (times
// -scale): unary Chat, Stream, multi-turn Converse (turns with history, a turn cancelled with
// CancelTurn, conversations the client abandons mid-turn), client cancels, deadlines that expire
// on slow and stalled upstreams, and upstream faults (500s, 429s, connections dropped
// mid-stream). Each kind names the provider entry it uses, so one failing kind's circuit breaker
// cannot block the others; the config must define the providers mock, slow, faulty, limited and
// broken. Every -sample-every it forces a full GC in the gateway (jcmd GC.run) and records its
// RSS, live heap (GC.heap_info), threads, open file descriptors and ESTABLISHED connections to
// the upstream port. Every -reload-every it rewrites the gateway's config file atomically (temp
// file + rename) from -config-template, with __GEN__ replaced by the reload's number, and checks
// through ListProviders that the route soak-gen-N appeared. It prints one JSON object at the end;
// each sample is also printed to stderr as it is taken.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// soakKind is one kind of call in the mix.
type soakKind struct {
	name     string
	rate     float64 // starts per second (before -scale)
	provider string
	model    string
	deadline time.Duration
	run      func(ctx context.Context, s *soak, k *soakKind) string // the outcome: a gRPC code name
}

var soakMix = []soakKind{
	{"chat", 40, "mock", "bench-t16", 10 * time.Second, soakChat},
	{"chat.deadline", 4, "slow", "bench-t16-l3000", 300 * time.Millisecond, soakChat},
	{"chat.upstream-500", 4, "faulty", "bench-t16-e50", 5 * time.Second, soakChat},
	{"chat.upstream-429", 2, "limited", "bench-t16-q100", 5 * time.Second, soakChat},
	{"chat.upstream-disconnect", 2, "broken", "bench-t16-d0", 5 * time.Second, soakChat},
	{"stream", 15, "mock", "bench-t64-i2", 10 * time.Second, soakStream},
	{"stream.client-cancel", 8, "mock", "bench-t1000-i5", 30 * time.Second, soakStream},
	{"stream.stall-deadline", 4, "slow", "bench-t100-i2-s5", time.Second, soakStream},
	{"stream.upstream-disconnect", 4, "broken", "bench-t100-i2-d5", 10 * time.Second, soakStream},
	{"converse", 2, "mock", "bench-t16-i1", 30 * time.Second, soakConverse},
}

type soakSample struct {
	T             float64 `json:"t_s"`
	RSSMB         float64 `json:"rss_mb"`
	HeapLiveMB    float64 `json:"heap_live_mb"`
	Threads       int     `json:"threads"`
	FDs           int     `json:"fds"`
	UpstreamConns int     `json:"upstream_conns"`
	InFlight      int64   `json:"in_flight"`
	Calls         int64   `json:"calls"`
	Reloads       int64   `json:"reloads"`
	Phase         string  `json:"phase"`
}

type soak struct {
	c          config
	conns      []*grpc.ClientConn
	next       atomic.Uint64
	inFlight   atomic.Int64
	calls      atomic.Int64
	mu         sync.Mutex
	outcomes   map[string]map[string]int64
	skipped    map[string]int64
	reloads    atomic.Int64
	reloadSeen atomic.Int64
}

func (s *soak) client() pb.ProviderServiceClient {
	return pb.NewProviderServiceClient(s.conns[s.next.Add(1)%uint64(len(s.conns))])
}

func (s *soak) count(kind, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.outcomes[kind]
	if m == nil {
		m = map[string]int64{}
		s.outcomes[kind] = m
	}
	m[outcome]++
}

func codeOf(err error) string {
	if err == nil {
		return codes.OK.String()
	}
	if errors.Is(err, context.Canceled) {
		return codes.Canceled.String()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return codes.DeadlineExceeded.String()
	}
	return status.Code(err).String()
}

func (k *soakKind) request() *pb.ChatRequest {
	return &pb.ChatRequest{Provider: k.provider, Model: k.model,
		Messages: []*pb.Message{{Role: "user", Content: "Say something about soaks"}}}
}

func soakChat(ctx context.Context, s *soak, k *soakKind) string {
	_, err := s.client().Chat(ctx, k.request())
	return codeOf(err)
}

// soakStream reads a Stream to its end; kinds named *client-cancel cancel it 100 to 400 ms in
// (an explicit cancel, RST_STREAM CANCEL, not a deadline the server would enforce first).
func soakStream(ctx context.Context, s *soak, k *soakKind) string {
	if strings.HasSuffix(k.name, "client-cancel") {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(time.Duration(100+rand.IntN(300))*time.Millisecond, cancel)
		st, err := s.client().Stream(ctx, k.request())
		if err != nil {
			if ctx.Err() != nil {
				return "client-cancelled"
			}
			return codeOf(err)
		}
		for {
			if _, err := st.Recv(); err != nil {
				if ctx.Err() != nil {
					return "client-cancelled"
				}
				return codeOf(err)
			}
		}
	}
	st, err := s.client().Stream(ctx, k.request())
	if err != nil {
		return codeOf(err)
	}
	for {
		_, err := st.Recv()
		if err == io.EOF {
			return codes.OK.String()
		}
		if err != nil {
			return codeOf(err)
		}
	}
}

// soakConverse holds one Converse stream: two turns with history, a long turn cancelled with
// CancelTurn after its first chunk, one more turn; then half the conversations close cleanly and
// the other half start a long turn and abandon the whole call (client cancel) after its first
// chunk. Each turn's outcome is counted under converse.turn.
func soakConverse(ctx context.Context, s *soak, k *soakKind) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := s.client().Converse(ctx)
	if err != nil {
		return codeOf(err)
	}
	events := make(chan *pb.ConverseResponse, 256)
	var recvErr error
	go func() {
		defer close(events)
		for {
			m, err := st.Recv()
			if err != nil {
				recvErr = err
				return
			}
			events <- m
		}
	}()
	n := 0
	turn := func(model string, cancelTurn, abandon bool) string {
		n++
		id := fmt.Sprintf("t%d", n)
		req := &pb.ChatRequest{Provider: k.provider, Model: model,
			Messages: []*pb.Message{{Role: "user", Content: fmt.Sprintf("Turn %d: go on", n)}}}
		if err := st.Send(&pb.ConverseRequest{Action: &pb.ConverseRequest_Start{
			Start: &pb.ConverseRequest_StartTurn{TurnId: id, Request: req, UseHistory: true}}}); err != nil {
			return "send-failed"
		}
		cancelled := false
		for m := range events {
			if m.GetTurnId() != id {
				continue
			}
			if e := m.GetError(); e != nil {
				return codes.Code(e.GetCode()).String()
			}
			c := m.GetChunk()
			if c.GetIsFinal() {
				return codes.OK.String()
			}
			if c.GetContent() != "" && !cancelled {
				if abandon {
					cancel()
					return "client-cancelled"
				}
				if cancelTurn {
					cancelled = true
					if err := st.Send(&pb.ConverseRequest{Action: &pb.ConverseRequest_Cancel{
						Cancel: &pb.ConverseRequest_CancelTurn{TurnId: id}}}); err != nil {
						return "send-failed"
					}
				}
			}
		}
		return "stream-ended:" + codeOf(recvErr)
	}
	long := "bench-t1000-i5"
	for _, t := range []struct {
		model             string
		cancelTurn, abort bool
	}{{k.model, false, false}, {k.model, false, false}, {long, true, false}, {k.model, false, false}} {
		out := turn(t.model, t.cancelTurn, t.abort)
		s.count("converse.turn", out)
		if strings.HasPrefix(out, "stream-ended") || out == "send-failed" {
			return out
		}
	}
	if rand.IntN(2) == 0 {
		s.count("converse.turn", turn(long, false, true))
		return "client-cancelled"
	}
	if err := st.CloseSend(); err != nil {
		return "send-failed"
	}
	for range events {
	}
	if recvErr == io.EOF {
		return codes.OK.String()
	}
	return codeOf(recvErr)
}

func runSoak(c config) (map[string]any, error) {
	procs := parsePids(c.pids)
	gwPid, ok := procs["gateway"]
	if !ok {
		return nil, errors.New("soak needs -pids gateway=PID")
	}
	var template string
	if c.reloadEvery > 0 {
		b, err := os.ReadFile(c.configTemplate)
		if err != nil {
			return nil, fmt.Errorf("soak: -config-template: %w", err)
		}
		template = string(b)
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
	s := &soak{c: c, conns: conns, outcomes: map[string]map[string]int64{}, skipped: map[string]int64{}}
	start := time.Now()
	end := start.Add(c.duration)
	stop := make(chan struct{})
	var traffic sync.WaitGroup
	for i := range soakMix {
		k := &soakMix[i]
		rate := k.rate * c.scale
		if rate <= 0 {
			continue
		}
		traffic.Add(1)
		go func() {
			defer traffic.Done()
			sem := make(chan struct{}, c.concurrency) // the most calls of this kind in flight
			interval := time.Duration(float64(time.Second) / rate)
			var calls sync.WaitGroup
			defer calls.Wait()
			// Each kind starts at a random phase so the kinds do not fire in lockstep.
			// Until stop: the last sample is taken under load.
			for due := start.Add(time.Duration(rand.Int64N(int64(interval)))); ; due = due.Add(interval) {
				select {
				case <-stop:
					return
				case <-time.After(time.Until(due)):
				}
				select {
				case sem <- struct{}{}:
				default:
					s.mu.Lock()
					s.skipped[k.name]++
					s.mu.Unlock()
					continue
				}
				calls.Add(1)
				s.inFlight.Add(1)
				go func() {
					defer calls.Done()
					defer func() { <-sem; s.inFlight.Add(-1); s.calls.Add(1) }()
					ctx, cancel := context.WithTimeout(context.Background(), k.deadline)
					defer cancel()
					s.count(k.name, k.run(ctx, s, k))
				}()
			}
		}()
	}
	// Config reloads.
	var reloader sync.WaitGroup
	if c.reloadEvery > 0 {
		reloader.Add(1)
		go func() {
			defer reloader.Done()
			t := time.NewTicker(c.reloadEvery)
			defer t.Stop()
			for gen := 1; ; gen++ {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				if err := writeAtomically(c.configFile, strings.ReplaceAll(template, "__GEN__", strconv.Itoa(gen))); err != nil {
					fmt.Fprintln(os.Stderr, "soak: config rewrite:", err)
					continue
				}
				s.reloads.Add(1)
				if s.routeAppears(fmt.Sprintf("soak-gen-%d", gen), 15*time.Second) {
					s.reloadSeen.Add(1)
				}
			}
		}()
	}
	// Samples at 0, every -sample-every, and at the end, under load.
	var samples []soakSample
	take := func(phase string) {
		sm := sampleGateway(gwPid, c.upstreamPort)
		sm.T = time.Since(start).Seconds()
		sm.InFlight = s.inFlight.Load()
		sm.Calls = s.calls.Load()
		sm.Reloads = s.reloads.Load()
		sm.Phase = phase
		samples = append(samples, sm)
		fmt.Fprintf(os.Stderr, "soak: t=%4.0fs rss=%.1fMB heap=%.1fMB threads=%d fds=%d upstream=%d in-flight=%d calls=%d reloads=%d\n",
			sm.T, sm.RSSMB, sm.HeapLiveMB, sm.Threads, sm.FDs, sm.UpstreamConns, sm.InFlight, sm.Calls, sm.Reloads)
	}
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * c.sampleEvery)
		if at.After(end) {
			break
		}
		time.Sleep(time.Until(at))
		phase := "load"
		if at.Sub(start) < c.warmup {
			phase = "warmup"
		}
		take(phase)
	}
	if last := samples[len(samples)-1].T; last < c.duration.Seconds()-1 {
		time.Sleep(time.Until(end))
		take("load")
	}
	close(stop)
	traffic.Wait()
	reloader.Wait()
	// Idle: in-flight calls have ended; what is left after a pause is what the gateway keeps.
	time.Sleep(c.idle)
	take("idle")

	s.mu.Lock()
	defer s.mu.Unlock()
	kinds := map[string]any{}
	for name, m := range s.outcomes {
		var total int64
		for _, v := range m {
			total += v
		}
		kinds[name] = map[string]any{"calls": total, "outcomes": m, "skipped": s.skipped[name]}
	}
	mix := []map[string]any{}
	for _, k := range soakMix {
		mix = append(mix, map[string]any{"kind": k.name, "rate": k.rate * c.scale, "provider": k.provider,
			"model": k.model, "deadline_s": k.deadline.Seconds()})
	}
	return map[string]any{
		"duration_s":     c.duration.Seconds(),
		"warmup_s":       c.warmup.Seconds(),
		"sample_every_s": c.sampleEvery.Seconds(),
		"reload_every_s": c.reloadEvery.Seconds(),
		"reloads":        s.reloads.Load(),
		"reloads_seen":   s.reloadSeen.Load(),
		"samples":        samples,
		"kinds":          kinds,
		"mix":            mix,
		"calls":          s.calls.Load(),
	}, nil
}

func writeAtomically(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".soak-config-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// routeAppears polls ListProviders until the route is listed (the reload took effect).
func (s *soak) routeAppears(route string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		resp, err := s.client().ListProviders(ctx, &pb.ListProvidersRequest{})
		cancel()
		if err == nil {
			for _, r := range resp.GetRoutes() {
				if r.GetName() == route {
					return true
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "soak: route %s did not appear within %s\n", route, limit)
	return false
}

var heapUsed = regexp.MustCompile(`used (\d+)K`)

// sampleGateway reads the gateway's resources: a full GC first, so the heap is the live heap.
func sampleGateway(pid, upstreamPort int) soakSample {
	var sm soakSample
	p := strconv.Itoa(pid)
	jcmd := func(cmd string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, _ := exec.CommandContext(ctx, "jcmd", p, cmd).Output()
		return string(out)
	}
	jcmd("GC.run")
	if m := heapUsed.FindStringSubmatch(jcmd("GC.heap_info")); m != nil {
		kb, _ := strconv.ParseFloat(m[1], 64)
		sm.HeapLiveMB = kb / 1024
	}
	sm.RSSMB = float64(rssKB(pid)) / 1024
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "Threads:") {
				sm.Threads, _ = strconv.Atoi(strings.TrimSpace(line[len("Threads:"):]))
			}
		}
	}
	// Open descriptors, and the inodes of the sockets among them.
	sockets := map[string]bool{}
	fdDir := fmt.Sprintf("/proc/%d/fd", pid)
	if ents, err := os.ReadDir(fdDir); err == nil {
		sm.FDs = len(ents)
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && strings.HasPrefix(l, "socket:[") {
				sockets[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
			}
		}
	}
	// ESTABLISHED TCP connections owned by the gateway whose remote port is the upstream's.
	if upstreamPort > 0 {
		want := fmt.Sprintf(":%04X", upstreamPort)
		for _, f := range []string{"tcp", "tcp6"} {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n")[1:] {
				fs := strings.Fields(line)
				if len(fs) < 10 || fs[3] != "01" || !strings.HasSuffix(fs[2], want) {
					continue
				}
				if sockets[fs[9]] {
					sm.UpstreamConns++
				}
			}
		}
	}
	return sm
}
