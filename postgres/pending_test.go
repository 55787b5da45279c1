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
	if err := s.AddPending(ctx, "slack:event:E1", []byte(`{"msg":{"text":"first"}}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, "slack:event:E2", []byte(`{"msg":{"text":"second"}}`)); err != nil {
		t.Fatal(err)
	}
	// A second add of the same key keeps the first turn.
	if err := s.AddPending(ctx, "slack:event:E1", []byte(`{"msg":{"text":"replaced?"}}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPlaceholder(ctx, "slack:event:E1", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, "bad", []byte(`{not json`)); err == nil {
		t.Error("AddPending(invalid JSON) = nil; want an error")
	}
	list, err := s.ListPendingTurns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "slack:event:E1" || list[0].Placeholder != "1700000000.000100" ||
		list[0].Attempts != 1 || string(list[0].Turn) != `{"msg": {"text": "first"}}` || list[1].Placeholder != "" {
		t.Fatalf("ListPendingTurns = %+v; want E1 (placeholder, attempt 1, first turn) then E2", list)
	}
	if err := s.DonePending(ctx, "slack:event:E1"); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListPendingTurns(ctx)
	if len(list) != 1 || list[0].Key != "slack:event:E2" || list[0].Attempts != 2 {
		t.Fatalf("after DonePending(E1), ListPendingTurns = %+v; want E2 alone at attempt 2", list)
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
