package analytics

import (
	"math"
	"testing"
)

func TestTextFeatures(t *testing.T) {
	items := []CustomerText{
		{CustomerID: "a", Sentiment: 0.5, Themes: []string{"fit", "fit"}, Embedding: []float32{1, 0}},
		{CustomerID: "a", Sentiment: -0.3, Themes: []string{"price"}, Embedding: []float32{3, 0}},
		{CustomerID: "b", Sentiment: 0.9, Themes: []string{"fit"}, Embedding: []float32{0, 2}},
		{CustomerID: "c", Sentiment: 0},
	}
	f, err := TextFeatures(items, TextFeatureConfig{Themes: 1, Components: 1})
	if err != nil {
		t.Fatal(err)
	}
	// a: 2 pieces, mean (0.5 − 0.3)/2 = 0.1, min −0.3, "fit" (the most
	// frequent theme: in 2 pieces) in 1 of 2 of a's pieces.
	if f["text_feedback_count"]["a"] != 2 || !near(f["text_sentiment_mean"]["a"], 0.1, 1e-12) || f["text_sentiment_min"]["a"] != -0.3 ||
		f["theme_fit"]["a"] != 0.5 || f["theme_fit"]["b"] != 1 || f["theme_fit"]["c"] != 0 {
		t.Errorf("features = %v", f)
	}
	if _, ok := f["theme_price"]; ok {
		t.Error("theme_price kept; want only the most frequent theme")
	}
	// Mean embeddings a = (2, 0), b = (0, 2): the one principal component
	// is ±(1, −1)/√2 and the centred points (1, −1), (−1, 1) project to
	// ±√2, with c (no embedding) absent.
	pc := f["text_emb_pc1"]
	if len(pc) != 2 || !near(math.Abs(pc["a"]), math.Sqrt2, 1e-9) || !near(pc["a"], -pc["b"], 1e-9) {
		t.Errorf("text_emb_pc1 = %v; want ±√2 for a and b", pc)
	}
	if _, err := TextFeatures([]CustomerText{{CustomerID: "x", Sentiment: 2}}, TextFeatureConfig{}); err == nil {
		t.Error("sentiment 2: no error")
	}
}
