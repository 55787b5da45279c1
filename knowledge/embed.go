package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tmc/langchaingo/embeddings"
)

// DefaultDimension is the vector length HashEmbedder produces unless told
// otherwise; it matches the dimension of common small sentence-embedding
// models, so a database column can switch between them.
const DefaultDimension = 384

// Sentinel errors about vectors.
var (
	// ErrInvalidVector means a vector that cannot be stored or searched
	// with: empty, all zeros, or holding NaN or ±Inf.
	ErrInvalidVector = errors.New("invalid vector")
	// ErrDimensionMismatch means an embedder's dimension differs from the
	// vector column's.
	ErrDimensionMismatch = errors.New("embedding dimension mismatch")
)

// Feature weights of HashEmbedder, per feature family, applied to the
// sublinear term frequency 1 + ln(tf).
const (
	weightWord    = 1.0
	weightBigram  = 0.7
	weightChar    = 0.25
	weightConcept = 2.0
)

// HashEmbedder is a local, deterministic text embedder needing no network
// or model files. It implements langchaingo's embeddings.Embedder.
//
// It is lexical, not semantic: it hashes surface features into a
// fixed-length vector (the "hashing trick", Weinberger et al., ICML 2009),
// so texts sharing words, word pairs or word fragments land close, while
// paraphrases with no shared words do not ("too big" and "enormous" are
// far apart). A small retail concept map narrows that gap for the aspects
// Themes knows: every lexicon phrase found ("fit", "sizing", "runs small")
// also adds its theme as a shared concept feature, so those texts land
// close to each other.
//
// Features, from the text lowercased and split into words of letters and
// digits (see Themes), each word reduced by Harman's S-stemmer and a short
// spelling map (colour→color):
//
//   - word unigrams, stop words dropped (negations "not", "no", "too" kept);
//   - word bigrams of the remaining words;
//   - character 3-, 4- and 5-grams of each word padded as "<word>";
//   - one concept feature per theme-lexicon match.
//
// Each feature's weight is (1 + ln tf) × family weight; it is added at
// index FNV-1a(family, feature) mod dimension with a sign taken from
// another bit of the same hash, and the vector is L2-normalized, so the
// dot product of two vectors is their cosine similarity.
type HashEmbedder struct {
	dim int
}

var _ embeddings.Embedder = (*HashEmbedder)(nil)

// NewHashEmbedder returns a HashEmbedder producing vectors of length dim;
// dim ≤ 0 means DefaultDimension. It returns an error wrapping
// ErrInvalidVector for a dim below 16, too small to keep collisions rare.
func NewHashEmbedder(dim int) (*HashEmbedder, error) {
	if dim <= 0 {
		dim = DefaultDimension
	}
	if dim < 16 {
		return nil, fmt.Errorf("hash embedder dimension %d: %w: want at least 16", dim, ErrInvalidVector)
	}
	return &HashEmbedder{dim: dim}, nil
}

// Dimension returns the length of the vectors e produces.
func (e *HashEmbedder) Dimension() int { return e.dim }

// EmbedDocuments returns one vector per text, in order. It fails, naming
// the index, if a text is empty or only whitespace (ErrEmptyText). A text
// of symbols only ("😍😍") is embedded from its whitespace-separated
// symbol groups.
func (e *HashEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := e.embed(t)
		if err != nil {
			return nil, fmt.Errorf("embed document %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// EmbedQuery returns the vector of one text, like EmbedDocuments. It
// fails with ErrEmptyText if text is empty or only whitespace.
func (e *HashEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := e.embed(text)
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	return v, nil
}

// FNV-1a 64-bit parameters (Fowler, Noll, Vo).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// fnvString continues an FNV-1a hash over s.
func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// Hash prefixes of the feature families: FNV-1a of "w\x00", "b\x00",
// "g\x00" and "c\x00", so a feature's hash is FNV-1a(family, 0, feature).
var (
	hashWord    = fnvString(fnvOffset64, "w\x00")
	hashBigram  = fnvString(fnvOffset64, "b\x00")
	hashChar    = fnvString(fnvOffset64, "g\x00")
	hashConcept = fnvString(fnvOffset64, "c\x00")
)

func (e *HashEmbedder) embed(text string) ([]float32, error) {
	raw := words(text)
	if len(raw) == 0 {
		// No letters or digits ("😍😍", "!!!"): embed the symbols
		// themselves so such feedback can still be stored and found.
		raw = strings.Fields(text)
	}
	if len(raw) == 0 {
		return nil, ErrEmptyText
	}
	// Feature occurrences per family as 64-bit hashes; sorting groups
	// equal features into runs whose length is the term frequency.
	var hWord, hBigram, hConcept []uint64
	hChar := make([]uint64, 0, 3*len(text))
	// Concept features from the theme lexicon (on unstemmed words, the
	// form the lexicon lists).
	for th, n := range themeHits(raw) {
		for range n {
			hConcept = append(hConcept, fnvString(hashConcept, th))
		}
	}
	var kept []string
	var bounds []int
	for _, w := range raw {
		w = stem(w)
		padded := "<" + w + ">"
		bounds = bounds[:0]
		for i := range padded {
			bounds = append(bounds, i)
		}
		bounds = append(bounds, len(padded))
		for n := 3; n <= 5; n++ {
			for i := 0; i+n < len(bounds); i++ {
				hChar = append(hChar, fnvString(hashChar, padded[bounds[i]:bounds[i+n]]))
			}
		}
		if stopWords[w] {
			continue
		}
		kept = append(kept, w)
		hWord = append(hWord, fnvString(hashWord, w))
	}
	for i := 1; i < len(kept); i++ {
		hBigram = append(hBigram, fnvString(fnvString(fnvString(hashBigram, kept[i-1]), " "), kept[i]))
	}
	v := make([]float64, e.dim)
	for _, fam := range []struct {
		hashes []uint64
		weight float64
	}{{hWord, weightWord}, {hBigram, weightBigram}, {hChar, weightChar}, {hConcept, weightConcept}} {
		hs := fam.hashes
		slices.Sort(hs)
		for i := 0; i < len(hs); {
			j := i + 1
			for j < len(hs) && hs[j] == hs[i] {
				j++
			}
			w := (1 + math.Log(float64(j-i))) * fam.weight
			if hs[i]>>63 == 1 {
				w = -w
			}
			v[hs[i]%uint64(e.dim)] += w
			i = j
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	if norm == 0 { // every feature cancelled out; vanishingly rare
		return nil, fmt.Errorf("%w: features cancelled to a zero vector", ErrInvalidVector)
	}
	out := make([]float32, e.dim)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out, nil
}

// spelling maps variant spellings to one form before stemming.
var spelling = map[string]string{
	"colour": "color", "colours": "color", "coloured": "colored",
	"cosy": "cozy", "grey": "gray", "favourite": "favorite",
	"jumper": "sweater", "trousers": "pants", "comfy": "comfortable",
}

// stem applies the spelling map, then Harman's S-stemmer
// (D. Harman, "How effective is suffixing?", JASIS 42(1), 1991):
// "ies"→"y" unless "eies"/"aies"; "es"→"e" unless "aes"/"ees"/"oes";
// "s"→"" unless "us"/"ss".
func stem(w string) string {
	if s, ok := spelling[w]; ok {
		w = s
	}
	n := len(w)
	switch {
	case n > 3 && strings.HasSuffix(w, "ies") && !strings.HasSuffix(w, "eies") && !strings.HasSuffix(w, "aies"):
		return w[:n-3] + "y"
	case n > 3 && strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "aes") && !strings.HasSuffix(w, "ees") && !strings.HasSuffix(w, "oes"):
		return w[:n-1]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "ss"):
		return w[:n-1]
	}
	return w
}

// stopWords are English function words left out of word features.
// Negations and "too" are kept: "not soft" and "too small" matter.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`a an the and or but if of at by for with about to from in on
		is are was were be been being am it its it's this that these those i me my we our you your
		he she her his they them their so very just really also than then there here as have has
		had do did does will would can could should would shall may might must what which who
		whom when where why how all any both each more most other some such only own same`) {
		m[w] = true
	}
	return m
}()

// ValidateVector checks that v can be stored and searched with cosine
// distance. It returns an error wrapping ErrInvalidVector that says what
// is wrong: an empty vector, NaN or ±Inf (with its index), or a zero
// vector (which has no direction).
func ValidateVector(v []float32) error {
	if len(v) == 0 {
		return fmt.Errorf("%w: empty", ErrInvalidVector)
	}
	nonZero := false
	for i, x := range v {
		f := float64(x)
		switch {
		case math.IsNaN(f):
			return fmt.Errorf("%w: NaN at index %d", ErrInvalidVector, i)
		case math.IsInf(f, 0):
			return fmt.Errorf("%w: %v at index %d", ErrInvalidVector, f, i)
		case x != 0:
			nonZero = true
		}
	}
	if !nonZero {
		return fmt.Errorf("%w: all %d components are zero", ErrInvalidVector, len(v))
	}
	return nil
}

// CheckDimension returns an error wrapping ErrDimensionMismatch, naming
// both sizes, unless the embedder's vector length embedderDim equals the
// database column's columnDim (e.g. vector(384)) and both are positive.
func CheckDimension(embedderDim, columnDim int) error {
	if embedderDim <= 0 || columnDim <= 0 || embedderDim != columnDim {
		return fmt.Errorf("%w: embedder produces %d dimensions, vector column holds %d",
			ErrDimensionMismatch, embedderDim, columnDim)
	}
	return nil
}
