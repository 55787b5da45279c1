package planner

import (
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Classifier is a multinomial logistic regression (softmax regression)
// over sparse binary features of a question: lowercase words and word
// bigrams, and character n-grams (3 to 5 characters of Latin text, 1 to 3
// of Chinese), so that typos and Chinese share most features with the
// questions it was trained on. Features are L2-normalised per question.
//
// Training minimises the mean cross-entropy plus an L2 penalty λ‖W‖²/2 with
// AdaGrad over a fixed number of epochs, visiting the examples in an order
// drawn from a seeded PCG generator, so the same corpus always gives the
// same model. Source: Jurafsky & Martin, Speech and Language Processing
// (3rd ed.), ch. 5 "Logistic Regression", §5.6 multinomial logistic
// regression.
type Classifier struct {
	labels []string
	feats  map[string]int
	// w[f*len(labels)+c] is the weight of feature f for class c; bias
	// holds one weight per class.
	w    []float64
	bias []float64
}

// TrainConfig sets the training of a Classifier; zero fields take the
// defaults of DefaultTrainConfig.
type TrainConfig struct {
	Epochs int
	// Lambda is the L2 penalty per example.
	Lambda float64
	// Rate is AdaGrad's base learning rate.
	Rate float64
	Seed uint64
}

// DefaultTrainConfig is the configuration the planner trains with.
//
// Ten epochs: 5-fold cross-validation on the build split gave the same
// accuracy from 8 to 40 epochs (TestTune_CrossValidation).
var DefaultTrainConfig = TrainConfig{Epochs: 10, Lambda: 1e-4, Rate: 0.5, Seed: 1}

// Example is one labelled question.
type Example struct {
	Text  string
	Label string
}

// Train fits a Classifier to examples. Labels are sorted, so the class
// order does not depend on the order of examples.
func Train(examples []Example, cfg TrainConfig) *Classifier {
	if cfg.Epochs <= 0 {
		cfg.Epochs = DefaultTrainConfig.Epochs
	}
	if cfg.Lambda <= 0 {
		cfg.Lambda = DefaultTrainConfig.Lambda
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultTrainConfig.Rate
	}
	c := &Classifier{feats: map[string]int{}}
	labelIdx := map[string]int{}
	for _, e := range examples {
		labelIdx[e.Label] = 0
	}
	for l := range labelIdx {
		c.labels = append(c.labels, l)
	}
	sort.Strings(c.labels)
	for i, l := range c.labels {
		labelIdx[l] = i
	}
	type vec struct {
		idx []int
		val float64
		y   int
	}
	// Feature ids in order of first appearance in the (ordered) corpus.
	data := make([]vec, len(examples))
	for i, e := range examples {
		fs := features(e.Text)
		ids := make([]int, 0, len(fs))
		for _, f := range fs {
			id, ok := c.feats[f]
			if !ok {
				id = len(c.feats)
				c.feats[f] = id
			}
			ids = append(ids, id)
		}
		data[i] = vec{idx: ids, val: 1 / math.Sqrt(float64(max(len(ids), 1))), y: labelIdx[e.Label]}
	}
	k := len(c.labels)
	c.w = make([]float64, len(c.feats)*k)
	c.bias = make([]float64, k)
	gw := make([]float64, len(c.w))
	gb := make([]float64, k)
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	p := make([]float64, k)
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			d := data[i]
			c.scores(d.idx, d.val, p)
			softmax(p)
			for cl := 0; cl < k; cl++ {
				g := p[cl]
				if cl == d.y {
					g -= 1
				}
				gb[cl] += g * g
				c.bias[cl] -= cfg.Rate * g / (math.Sqrt(gb[cl]) + 1e-8)
				for _, f := range d.idx {
					j := f*k + cl
					gj := g*d.val + cfg.Lambda*c.w[j]
					gw[j] += gj * gj
					c.w[j] -= cfg.Rate * gj / (math.Sqrt(gw[j]) + 1e-8)
				}
			}
		}
	}
	return c
}

// scores writes the linear scores of the features idx (each of value val) into p.
func (c *Classifier) scores(idx []int, val float64, p []float64) {
	k := len(c.labels)
	copy(p, c.bias)
	for _, f := range idx {
		row := c.w[f*k : f*k+k]
		for cl := range p {
			p[cl] += row[cl] * val
		}
	}
}

func softmax(p []float64) {
	m := math.Inf(-1)
	for _, v := range p {
		m = max(m, v)
	}
	var s float64
	for i, v := range p {
		p[i] = math.Exp(v - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}

// Scored is one label with its probability.
type Scored struct {
	Label string
	P     float64
}

// Predict returns every label with its probability for text, most
// probable first. Features not seen in training are ignored.
func (c *Classifier) Predict(text string) []Scored {
	var idx []int
	fs := features(text)
	for _, f := range fs {
		if id, ok := c.feats[f]; ok {
			idx = append(idx, id)
		}
	}
	p := make([]float64, len(c.labels))
	// The norm counts unseen features too: a question made mostly of
	// unknown words gets a flatter, less confident distribution.
	c.scores(idx, 1/math.Sqrt(float64(max(len(fs), 1))), p)
	softmax(p)
	out := make([]Scored, len(p))
	for i, v := range p {
		out[i] = Scored{c.labels[i], v}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].P > out[j].P })
	return out
}

// Labels returns the classes, sorted.
func (c *Classifier) Labels() []string { return c.labels }

var (
	latinTokenRe = regexp.MustCompile(`[\p{Latin}0-9']+|\p{Han}+`)
	numberRe     = regexp.MustCompile(`^[0-9]+$`)
)

// numberClass replaces a number by its kind, so that "customer 12347" and
// "customer 17850" share features.
func numberClass(tok string) string {
	if !numberRe.MatchString(tok) {
		return tok
	}
	switch {
	case len(tok) == 4 && (strings.HasPrefix(tok, "19") || strings.HasPrefix(tok, "20")):
		return "_year"
	case len(tok) >= 5:
		return "_id"
	}
	return "_num"
}

// features returns the distinct features of text.
func features(text string) []string {
	s := strings.ToLower(text)
	s = strings.NewReplacer("’", "'", "‘", "'", "_", " ", "-", " ").Replace(s)
	toks := latinTokenRe.FindAllString(s, -1)
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	prev := "^"
	for _, t := range toks {
		if isHan(t) {
			rs := []rune(t)
			for n := 1; n <= 3; n++ {
				for i := 0; i+n <= len(rs); i++ {
					add("h:" + string(rs[i:i+n]))
				}
			}
			prev = "^"
			continue
		}
		t = numberClass(strings.Trim(t, "'"))
		if t == "" {
			continue
		}
		add("w:" + t)
		add("b:" + prev + " " + t)
		prev = t
		if strings.HasPrefix(t, "_") {
			continue
		}
		rs := []rune(" " + t + " ")
		for n := 3; n <= 5; n++ {
			for i := 0; i+n <= len(rs); i++ {
				add("c:" + string(rs[i:i+n]))
			}
		}
	}
	return out
}

func isHan(t string) bool {
	for _, r := range t {
		return unicode.Is(unicode.Han, r)
	}
	return false
}

// Unknown returns the words of text that the classifier never saw in
// training (Latin words; Chinese runs none of whose characters were seen),
// in order.
func (c *Classifier) Unknown(text string) []string {
	s := strings.ToLower(text)
	var out []string
	for _, t := range latinTokenRe.FindAllString(s, -1) {
		if isHan(t) {
			seen := false
			for _, r := range t {
				if _, ok := c.feats["h:"+string(r)]; ok {
					seen = true
				}
			}
			if !seen {
				out = append(out, t)
			}
			continue
		}
		t = strings.Trim(t, "'")
		if t == "" || numberRe.MatchString(t) {
			continue
		}
		if _, ok := c.feats["w:"+t]; !ok {
			out = append(out, t)
		}
	}
	return out
}

// Near reports whether w is within maxEdits of a word seen in training
// (a misspelling the character n-grams still read).
func (c *Classifier) Near(w string) bool {
	k := maxEdits(len(w))
	if k == 0 {
		return false
	}
	for f := range c.feats {
		v, ok := strings.CutPrefix(f, "w:")
		if !ok || abs(len(v)-len(w)) > k {
			continue
		}
		if osa(w, v) <= k {
			return true
		}
	}
	return false
}
