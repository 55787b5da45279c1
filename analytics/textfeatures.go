package analytics

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// CustomerText is one piece of a customer's feedback as the text pipeline
// scored it: Sentiment is the compound score in [−1, 1] (VADER or the
// configured LLM), Themes the theme names found in it, Embedding its
// vector (nil when not embedded).
type CustomerText struct {
	CustomerID string
	Sentiment  float64
	Themes     []string
	Embedding  []float32
}

// TextFeatureConfig configures TextFeatures.
type TextFeatureConfig struct {
	// Themes is how many of the most frequent themes become indicator
	// features (0 means 5).
	Themes int
	// Components is how many principal components of the customers' mean
	// embeddings become features (0 means 3; fewer when there are fewer
	// customers or dimensions).
	Components int
}

// TextFeatures turns customers' feedback into model features (seed section
// 3.4.1, features from text fused into the data-mining models), keyed
// feature name → customer ID → value, for the customers in items only
// (others stay missing when joined with ModelTable.AddColumn):
//
//   - text_feedback_count: pieces of feedback;
//   - text_sentiment_mean, text_sentiment_min: of their compound scores;
//   - theme_NAME: the share of their feedback mentioning theme NAME, for
//     the cfg.Themes most frequent themes (ties by name);
//   - text_emb_pcK: the customer's mean embedding projected on the K-th
//     principal component of all customers' mean embeddings (gonum
//     stat.PC, centred; Jolliffe, Principal Component Analysis, 2002),
//     when at least two customers have embeddings of one dimension.
//
// It returns an *InputError for a row without a customer ID, a sentiment
// outside [−1, 1] or embeddings of differing dimensions.
func TextFeatures(items []CustomerText, cfg TextFeatureConfig) (map[string]map[string]float64, error) {
	if cfg.Themes == 0 {
		cfg.Themes = 5
	}
	if cfg.Components == 0 {
		cfg.Components = 3
	}
	type acc struct {
		n, sum, minS float64
		themes       map[string]float64
		emb          []float64
		nEmb         float64
	}
	by := map[string]*acc{}
	themeCount := map[string]int{}
	dim := -1
	for i, it := range items {
		if it.CustomerID == "" {
			return nil, &InputError{Row: i, Field: "customer_id", Err: ErrNoData}
		}
		if math.IsNaN(it.Sentiment) || it.Sentiment < -1 || it.Sentiment > 1 {
			return nil, &InputError{Row: i, Field: "sentiment", Err: fmt.Errorf("%v outside [-1, 1]", it.Sentiment)}
		}
		a := by[it.CustomerID]
		if a == nil {
			a = &acc{minS: 1, themes: map[string]float64{}}
			by[it.CustomerID] = a
		}
		a.n++
		a.sum += it.Sentiment
		a.minS = math.Min(a.minS, it.Sentiment)
		seen := map[string]bool{}
		for _, th := range it.Themes {
			if !seen[th] {
				seen[th] = true
				a.themes[th]++
				themeCount[th]++
			}
		}
		if len(it.Embedding) > 0 {
			if dim >= 0 && len(it.Embedding) != dim {
				return nil, &InputError{Row: i, Field: "embedding", Err: fmt.Errorf("%d dimensions; earlier rows have %d", len(it.Embedding), dim)}
			}
			dim = len(it.Embedding)
			if a.emb == nil {
				a.emb = make([]float64, dim)
			}
			for k, v := range it.Embedding {
				a.emb[k] += float64(v)
			}
			a.nEmb++
		}
	}
	ids := make([]string, 0, len(by))
	for id := range by {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := map[string]map[string]float64{"text_feedback_count": {}, "text_sentiment_mean": {}, "text_sentiment_min": {}}
	for _, id := range ids {
		a := by[id]
		out["text_feedback_count"][id] = a.n
		out["text_sentiment_mean"][id] = a.sum / a.n
		out["text_sentiment_min"][id] = a.minS
	}
	themes := make([]string, 0, len(themeCount))
	for th := range themeCount {
		themes = append(themes, th)
	}
	sort.Slice(themes, func(i, j int) bool {
		if themeCount[themes[i]] != themeCount[themes[j]] {
			return themeCount[themes[i]] > themeCount[themes[j]]
		}
		return themes[i] < themes[j]
	})
	for _, th := range themes[:min(cfg.Themes, len(themes))] {
		col := map[string]float64{}
		for _, id := range ids {
			col[id] = by[id].themes[th] / by[id].n
		}
		out["theme_"+th] = col
	}
	// Principal components of the customers' mean embeddings.
	var embIDs []string
	for _, id := range ids {
		if by[id].nEmb > 0 {
			embIDs = append(embIDs, id)
		}
	}
	if len(embIDs) >= 2 && dim > 0 {
		X := mat.NewDense(len(embIDs), dim, nil)
		for r, id := range embIDs {
			a := by[id]
			for k, v := range a.emb {
				X.Set(r, k, v/a.nEmb)
			}
		}
		var pc stat.PC
		if pc.PrincipalComponents(X, nil) {
			var vecs mat.Dense
			pc.VectorsTo(&vecs)
			_, nc := vecs.Dims()
			k := min(cfg.Components, nc, len(embIDs)-1)
			means := make([]float64, dim)
			for c := 0; c < dim; c++ {
				means[c] = stat.Mean(mat.Col(nil, c, X), nil)
			}
			for j := 0; j < k; j++ {
				col := map[string]float64{}
				for r, id := range embIDs {
					var s float64
					for c := 0; c < dim; c++ {
						s += (X.At(r, c) - means[c]) * vecs.At(c, j)
					}
					col[id] = s
				}
				out[fmt.Sprintf("text_emb_pc%d", j+1)] = col
			}
		}
	}
	return out, nil
}
