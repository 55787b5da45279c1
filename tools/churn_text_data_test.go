package tools

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// readGz opens a gzip CSV under data/ and returns its records after the
// header.
func readGz(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(gz)
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out[1:]
}

// TestChurnTextAblation_OnlineRetail runs the text-feature pipeline on
// real data with a SYNTHETIC link: 1,500 real reviews (Women's Clothing
// E-Commerce) scored by the local pipeline (VADER sentiment, themes, hash
// embeddings) are assigned at random (seeded) to Online Retail customers,
// since no real dataset links review text to the customers who bought.
// The churn models are fitted with and without the text features on the
// same split; with a random link no gain is expected, and the test checks
// that none appears (a gain would mean leakage). Figures in
// docs/predict.md.
func TestChurnTextAblation_OnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads Online Retail and the reviews")
	}
	idx := map[string]int{}
	var orders []analytics.Order
	for _, rec := range readGz(t, "../data/online-retail/online_retail.csv.gz") {
		if rec[6] == "" {
			continue
		}
		qty, _ := strconv.ParseFloat(rec[3], 64)
		price, _ := strconv.ParseFloat(rec[5], 64)
		at, err := time.Parse(time.DateTime, rec[4])
		if err != nil {
			t.Fatal(err)
		}
		i, ok := idx[rec[0]]
		if !ok {
			i = len(orders)
			idx[rec[0]] = i
			orders = append(orders, analytics.Order{OrderID: rec[0], CustomerID: strings.TrimSuffix(rec[6], ".0"), At: at, IsReturn: strings.HasPrefix(rec[0], "C")})
		}
		orders[i].Amount += analytics.Money(math.Round(qty * price * 100))
	}
	cut := time.Date(2011, 9, 10, 0, 0, 0, 0, time.UTC)
	base, err := analytics.ChurnTable(orders, analytics.ChurnConfig{Cutoff: cut, HorizonDays: 90, Labelled: true})
	if err != nil {
		t.Fatal(err)
	}
	emb, _ := knowledge.NewHashEmbedder(0)
	rng := rand.New(rand.NewPCG(7, 7))
	var items []analytics.CustomerText
	for _, rec := range readGz(t, "../data/womens-clothing-reviews/womens_clothing_ecommerce_reviews.csv.gz") {
		text := strings.TrimSpace(rec[3] + ". " + rec[4])
		if len(rec[4]) < 20 || len(items) == 1500 {
			continue
		}
		v, err := emb.EmbedQuery(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, analytics.CustomerText{CustomerID: base.IDs[rng.IntN(len(base.IDs))], // SYNTHETIC link
			Sentiment: knowledge.ScoreSentiment(text), Themes: knowledge.Themes(text), Embedding: v})
	}
	feats, err := analytics.TextFeatures(items, analytics.TextFeatureConfig{})
	if err != nil {
		t.Fatal(err)
	}
	withText := base
	withText.Columns = append([]analytics.ModelColumn(nil), base.Columns...)
	for _, n := range sortedKeys(feats) {
		if err := withText.AddColumn(n, feats[n], nil); err != nil {
			t.Fatal(err)
		}
	}
	cfg := analytics.FitConfig{Seed: 42, Models: []string{analytics.ModelLogistic, analytics.ModelTree, analytics.ModelForest, analytics.ModelAverage}, ImportanceRepeats: -1}
	a, err := analytics.FitModels(base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := analytics.FitModels(withText, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d customers, %d with synthetic feedback; %d text features %v", base.Rows(), len(feats["text_feedback_count"]), len(feats), sortedKeys(feats))
	t.Log("| model | test AUC without text | test AUC with text | difference |")
	for i, m := range a.Models {
		d := b.Models[i].Test.AUC - m.Test.AUC
		t.Logf("| %s | %.4f | %.4f | %+.4f |", m.Name, m.Test.AUC, b.Models[i].Test.AUC, d)
		if d > 0.02 {
			t.Errorf("%s gains %.4f AUC from randomly linked text; want no gain (leakage?)", m.Name, d)
		}
	}
	if fmt.Sprint(a.Split.Test) != fmt.Sprint(b.Split.Test) {
		t.Error("the two fits used different test rows")
	}
}

func sortedKeys(m map[string]map[string]float64) []string {
	return slices.Sorted(maps.Keys(m))
}
