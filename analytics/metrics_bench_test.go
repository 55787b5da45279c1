package analytics

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// BenchmarkScoreRFM scores 4,339 customers, the size of the cleaned
// Online Retail customer base.
func BenchmarkScoreRFM(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	in := make([]RFMInput, 4339)
	for i := range in {
		in[i] = RFMInput{CustomerID: fmt.Sprint(i), RecencyDays: rng.Intn(374),
			Frequency: 1 + int(rng.ExpFloat64()*4), Monetary: Money(rng.ExpFloat64() * 200000)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ScoreRFM(in, RFMConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFunnelFromEvents counts 100,000 sessions of up to five events.
func BenchmarkFunnelFromEvents(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	stages := DefaultFunnelStages()
	t0 := time.Date(2011, 12, 1, 0, 0, 0, 0, time.UTC)
	var events []FunnelEvent
	for s := 0; s < 100000; s++ {
		id := fmt.Sprint(s)
		at := t0.Add(time.Duration(rng.Intn(86400)) * time.Second)
		for _, st := range stages {
			events = append(events, FunnelEvent{SessionID: id, Stage: st, At: at})
			if rng.Float64() < 0.4 {
				break
			}
			at = at.Add(time.Duration(rng.Intn(600)) * time.Second)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FunnelFromEvents(events, stages, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
