package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"

	pgv1 "github.com/provider-gateway/provider-gateway/client/go/providergateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Converse opens a Converse stream: many turns, concurrent or one after another, on one call
// whose server can keep the conversation history. ctx bounds the whole session (its deadline,
// its cancellation). End the session with CloseSend (running turns finish) or Cancel.
func (c *Client) Converse(ctx context.Context, opts ...grpc.CallOption) (*ConverseSession, error) {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.stub.Converse(ctx, opts...)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &ConverseSession{
		stream: stream,
		cancel: cancel,
		turns:  map[string]*Turn{},
		done:   make(chan struct{}),
	}
	go s.receive()
	return s, nil
}

// ConverseSession is one Converse call. A goroutine reads the server's messages and routes
// each to its Turn by turn id, so turns can run at the same time and be read from different
// goroutines. A failed turn returns its error from that Turn only; a failure of the whole call
// (deadline, lost connection, Cancel) ends every running turn with it. All methods are safe for
// concurrent use.
type ConverseSession struct {
	stream grpc.BidiStreamingClient[pgv1.ConverseRequest, pgv1.ConverseResponse]
	cancel context.CancelFunc

	sendMu     sync.Mutex // a gRPC stream allows one sender at a time
	halfClosed bool

	mu    sync.Mutex
	turns map[string]*Turn
	ended bool
	err   error
	done  chan struct{}
}

// StartTurn starts a turn. turnID is the caller's (1 to 128 characters) and is free again once
// its turn has ended. With useHistory the server prepends this session's kept history to the
// request's messages and, if the turn succeeds, records the turn in it.
func (s *ConverseSession) StartTurn(turnID string, req *pgv1.ChatRequest, useHistory bool) (*Turn, error) {
	if turnID == "" {
		return nil, errors.New("gateway: turn id must not be empty")
	}
	turn := &Turn{ID: turnID, session: s, ready: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.ended {
		err := s.err
		s.mu.Unlock()
		if err == nil {
			err = errClosed
		}
		return nil, err
	}
	if _, running := s.turns[turnID]; running {
		s.mu.Unlock()
		return nil, fmt.Errorf("gateway: turn %q is still running", turnID)
	}
	s.turns[turnID] = turn
	s.mu.Unlock()

	err := s.send(&pgv1.ConverseRequest{Action: &pgv1.ConverseRequest_Start{
		Start: &pgv1.ConverseRequest_StartTurn{TurnId: turnID, Request: req, UseHistory: useHistory},
	}})
	if err != nil {
		s.mu.Lock()
		if s.turns[turnID] == turn {
			delete(s.turns, turnID)
		}
		s.mu.Unlock()
		return nil, err
	}
	return turn, nil
}

// CloseSend half-closes the stream: no new turns start, running turns finish and stay
// readable, then the server ends the call. Idempotent.
func (s *ConverseSession) CloseSend() error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.halfClosed {
		return nil
	}
	s.halfClosed = true
	return s.stream.CloseSend()
}

// Cancel ends the whole call at once; every running turn fails with codes.Canceled.
func (s *ConverseSession) Cancel() { s.cancel() }

// Done is closed when the call has ended.
func (s *ConverseSession) Done() <-chan struct{} { return s.done }

// Err is the call's failure once Done is closed; nil after a clean end.
func (s *ConverseSession) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *ConverseSession) send(req *pgv1.ConverseRequest) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.halfClosed {
		return errClosed
	}
	if err := s.stream.Send(req); err != nil {
		if errors.Is(err, io.EOF) { // the call has ended; its status says why
			<-s.done
			if callErr := s.Err(); callErr != nil {
				return callErr
			}
			return errClosed
		}
		return err
	}
	return nil
}

func (s *ConverseSession) receive() {
	var callErr error
	for {
		resp, err := s.stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				callErr = err
			}
			break
		}
		s.route(resp)
	}
	s.mu.Lock()
	s.ended, s.err = true, callErr
	orphans := s.turns
	s.turns = map[string]*Turn{}
	s.mu.Unlock()
	for _, turn := range orphans {
		err := callErr
		if err == nil {
			err = status.Error(codes.Internal, "gateway: the Converse call ended mid-turn")
		}
		turn.deliver(turnItem{err: err})
	}
	s.cancel() // release the context's resources
	close(s.done)
}

func (s *ConverseSession) route(resp *pgv1.ConverseResponse) {
	var item turnItem
	switch event := resp.GetEvent().(type) {
	case *pgv1.ConverseResponse_Chunk:
		item.chunk = event.Chunk
	case *pgv1.ConverseResponse_Error:
		item.err = status.ErrorProto(event.Error)
	default:
		return // an event this client does not know
	}
	terminal := item.err != nil || item.chunk.GetIsFinal()
	s.mu.Lock()
	turn := s.turns[resp.GetTurnId()]
	if turn != nil && terminal {
		delete(s.turns, resp.GetTurnId())
	}
	s.mu.Unlock()
	if turn != nil {
		turn.deliver(item)
	}
}

type turnItem struct {
	chunk *pgv1.StreamChunk
	err   error
}

// Turn is the chunks of one Converse turn: Recv returns them, then io.EOF after the final
// chunk, or the turn's status error (inspect it with status.FromError or ErrorDetailsOf).
// Chunks are buffered until read. Close before the end cancels just this turn.
type Turn struct {
	// ID is the turn id given to StartTurn.
	ID      string
	session *ConverseSession

	mu     sync.Mutex
	queue  []turnItem
	ready  chan struct{}
	done   bool
	closed bool
}

// Recv returns the turn's next chunk, io.EOF after the final one (or after Close), or the
// turn's error.
func (t *Turn) Recv() (*pgv1.StreamChunk, error) {
	for {
		t.mu.Lock()
		if t.done || t.closed {
			t.mu.Unlock()
			return nil, io.EOF
		}
		if len(t.queue) > 0 {
			item := t.queue[0]
			t.queue = t.queue[1:]
			if item.err != nil || item.chunk.GetIsFinal() {
				t.done = true
			}
			t.mu.Unlock()
			return item.chunk, item.err
		}
		t.mu.Unlock()
		<-t.ready
	}
}

// All ranges over the turn's chunks; it yields one non-nil error if the turn fails, and
// closes the turn (cancelling it if it is still running) when the loop ends.
func (t *Turn) All() iter.Seq2[*pgv1.StreamChunk, error] {
	return func(yield func(*pgv1.StreamChunk, error) bool) {
		defer t.Close()
		for {
			chunk, err := t.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(chunk, err) || err != nil {
				return
			}
		}
	}
}

// Close cancels the turn (CancelTurn) unless it has ended; the turn id stays taken until the
// server confirms. Idempotent.
func (t *Turn) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	ended := t.done
	t.mu.Unlock()
	if ended {
		return nil
	}
	err := t.session.send(&pgv1.ConverseRequest{Action: &pgv1.ConverseRequest_Cancel{
		Cancel: &pgv1.ConverseRequest_CancelTurn{TurnId: t.ID},
	}})
	if errors.Is(err, errClosed) {
		return nil // half-closed or ended: the turn ends with the call
	}
	return err
}

func (t *Turn) deliver(item turnItem) {
	t.mu.Lock()
	t.queue = append(t.queue, item)
	t.mu.Unlock()
	select {
	case t.ready <- struct{}{}:
	default:
	}
}
