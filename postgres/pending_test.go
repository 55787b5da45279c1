package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/roibot/roibot/postgres/pgtest"
)

func TestStore_PendingTurns(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	// Instance A acknowledged two turns and is alive.
	if err := s.Heartbeat(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, "slack:event:E1", []byte(`{"msg":{"text":"first"}}`), "A"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, "slack:event:E2", []byte(`{"msg":{"text":"second"}}`), "A"); err != nil {
		t.Fatal(err)
	}
	// A second add of the same key keeps the first turn and owner.
	if err := s.AddPending(ctx, "slack:event:E1", []byte(`{"msg":{"text":"replaced?"}}`), "B"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPlaceholder(ctx, "slack:event:E1", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, "bad", []byte(`{not json`), "A"); err == nil {
		t.Error("AddPending(invalid JSON) = nil; want an error")
	}
	// B starting up leaves a live A's turns alone, and A never takes its own.
	for _, who := range []string{"B", "A"} {
		if list, err := s.TakeOverPendingTurns(ctx, who, time.Hour); err != nil || len(list) != 0 {
			t.Fatalf("TakeOverPendingTurns(%s) while A is alive = %+v, %v; want none", who, list, err)
		}
	}
	// A's heartbeat is older than the lease (lease 0): B takes both.
	list, err := s.TakeOverPendingTurns(ctx, "B", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "slack:event:E1" || list[0].Placeholder != "1700000000.000100" ||
		list[0].Attempts != 1 || string(list[0].Turn) != `{"msg": {"text": "first"}}` || list[1].Placeholder != "" {
		t.Fatalf("TakeOverPendingTurns(B) = %+v; want E1 (placeholder, attempt 1, first turn) then E2", list)
	}
	// They are B's now: C takes them only once B is gone too.
	if err := s.Heartbeat(ctx, "B"); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.TakeOverPendingTurns(ctx, "C", time.Hour); len(list) != 0 {
		t.Fatalf("TakeOverPendingTurns(C) while B is alive = %+v; want none", list)
	}
	if err := s.DonePending(ctx, "slack:event:E1"); err != nil {
		t.Fatal(err)
	}
	list, _ = s.TakeOverPendingTurns(ctx, "C", 0)
	if len(list) != 1 || list[0].Key != "slack:event:E2" || list[0].Attempts != 2 {
		t.Fatalf("after DonePending(E1), TakeOverPendingTurns(C) = %+v; want E2 alone at attempt 2", list)
	}
}

func TestStore_DeleteExpiredClaims(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	for _, k := range []string{"old1", "old2"} {
		if ok, err := s.Claim(ctx, k, time.Millisecond); err != nil || !ok {
			t.Fatalf("Claim(%s) = %v, %v", k, ok, err)
		}
	}
	if ok, err := s.Claim(ctx, "live", time.Hour); err != nil || !ok {
		t.Fatalf("Claim(live) = %v, %v", ok, err)
	}
	time.Sleep(20 * time.Millisecond)
	n, err := s.DeleteExpiredClaims(ctx, 0)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredClaims = %d, %v; want 2", n, err)
	}
	if ok, _ := s.Claim(ctx, "live", time.Hour); ok {
		t.Error("a live claim was deleted: claiming it again succeeded")
	}
}
