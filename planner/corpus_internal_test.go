package planner

import "testing"

// TestNew_TrainsOnce: every Planner without its own classifier shares the
// one trained on the embedded corpus, so a second New (a test, a re-wired
// command) does not train again (about 0.2 s on the shared 2-core machine).
func TestNew_TrainsOnce(t *testing.T) {
	a, b := New(Config{}), New(Config{})
	if a.clf == nil || a.clf != b.clf {
		t.Errorf("New().clf = %p, then %p; want one trained classifier, shared", a.clf, b.clf)
	}
	own := TrainOn(nil)
	if c := New(Config{Classifier: own}); c.clf != own {
		t.Errorf("New(Config{Classifier: c}).clf = %p; want c (%p)", c.clf, own)
	}
}
