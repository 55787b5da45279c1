package knowledge

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"
)

func mustEmbedder(t *testing.T, dim int) *HashEmbedder {
	t.Helper()
	e, err := NewHashEmbedder(dim)
	if err != nil {
		t.Fatalf("NewHashEmbedder(%d): %v", dim, err)
	}
	return e
}

func embedQuery(t *testing.T, e *HashEmbedder, text string) []float32 {
	t.Helper()
	v, err := e.EmbedQuery(context.Background(), text)
	if err != nil {
		t.Fatalf("EmbedQuery(%q): %v", text, err)
	}
	return v
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func TestNewHashEmbedder(t *testing.T) {
	if got := mustEmbedder(t, 0).Dimension(); got != DefaultDimension {
		t.Errorf("NewHashEmbedder(0).Dimension() = %d; want %d", got, DefaultDimension)
	}
	if got := mustEmbedder(t, 1536).Dimension(); got != 1536 {
		t.Errorf("NewHashEmbedder(1536).Dimension() = %d; want 1536", got)
	}
	if _, err := NewHashEmbedder(8); !errors.Is(err, ErrInvalidVector) {
		t.Errorf("NewHashEmbedder(8) error = %v; want ErrInvalidVector", err)
	}
}

func TestHashEmbedder_EmbedQuery(t *testing.T) {
	e := mustEmbedder(t, 0)

	t.Run("UnitNormAndDimension", func(t *testing.T) {
		v := embedQuery(t, e, "The dress runs small but the fabric is lovely")
		if len(v) != DefaultDimension {
			t.Fatalf("len(EmbedQuery) = %d; want %d", len(v), DefaultDimension)
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(math.Sqrt(n)-1) > 1e-6 {
			t.Errorf("‖EmbedQuery‖ = %v; want 1 ± 1e-6", math.Sqrt(n))
		}
		if err := ValidateVector(v); err != nil {
			t.Errorf("ValidateVector(EmbedQuery) = %v; want nil", err)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		a := embedQuery(t, e, "Too tight around the waist")
		b := embedQuery(t, mustEmbedder(t, 0), "Too tight around the waist")
		if !slices.Equal(a, b) {
			t.Errorf("EmbedQuery differs between calls for the same text; want identical vectors")
		}
	})

	// One word, "xyzzy", no lexicon match: the word feature (weight 1) and
	// the 12 character n-grams of "<xyzzy>" (5 trigrams, 4 four-grams,
	// 3 five-grams, weight 0.25 each). With no collisions in 65,536 slots
	// the norm is √(1 + 12·0.25²) = √1.75, so the word's slot, FNV-1a of
	// "w\x00xyzzy" mod 65536, holds ±1/√1.75 = ±0.755929.
	t.Run("HandComputedSingleWord", func(t *testing.T) {
		const dim = 1 << 16
		v := embedQuery(t, mustEmbedder(t, dim), "Xyzzy")
		h := fnv.New64a()
		h.Write([]byte("w\x00xyzzy"))
		s := h.Sum64()
		want := 1 / math.Sqrt(1.75)
		if s>>63 == 1 {
			want = -want
		}
		if got := float64(v[s%dim]); math.Abs(got-want) > 1e-6 {
			t.Errorf("EmbedQuery(%q)[%d] = %.6f; want %.6f", "Xyzzy", s%dim, got, want)
		}
		nonZero := 0
		for _, x := range v {
			if x != 0 {
				nonZero++
			}
		}
		if nonZero != 13 {
			t.Errorf("EmbedQuery(%q) has %d non-zero components; want 13", "Xyzzy", nonZero)
		}
	})

	t.Run("SpellingVariantsIdentical", func(t *testing.T) {
		a := embedQuery(t, e, "the colour faded")
		b := embedQuery(t, e, "the color faded")
		if c := cosine(a, b); math.Abs(c-1) > 1e-6 {
			t.Errorf("cos(colour, color) = %.4f; want 1", c)
		}
	})

	t.Run("RetailAspectsLandClose", func(t *testing.T) {
		fit := embedQuery(t, e, "fit")
		sizing := embedQuery(t, e, "sizing")
		runsSmall := embedQuery(t, e, "runs small")
		colour := embedQuery(t, e, "colour")
		late := embedQuery(t, e, "arrived late")
		for _, c := range []struct {
			name string
			got  float64
		}{
			{"cos(fit, sizing)", cosine(fit, sizing)},
			{"cos(fit, runs small)", cosine(fit, runsSmall)},
			{"cos(sizing, runs small)", cosine(sizing, runsSmall)},
		} {
			if c.got < 0.4 {
				t.Errorf("%s = %.3f; want ≥ 0.4 (shared sizing concept)", c.name, c.got)
			}
		}
		for _, c := range []struct {
			name string
			got  float64
		}{
			{"cos(fit, colour)", cosine(fit, colour)},
			{"cos(runs small, arrived late)", cosine(runsSmall, late)},
		} {
			if math.Abs(c.got) > 0.15 {
				t.Errorf("%s = %.3f; want |cos| ≤ 0.15 (unrelated aspects)", c.name, c.got)
			}
		}
	})

	t.Run("RanksSharedWordsFirst", func(t *testing.T) {
		q := embedQuery(t, e, "dress too small")
		near := embedQuery(t, e, "This dress is far too small for me")
		far := embedQuery(t, e, "Parcel arrived two weeks late")
		if cn, cf := cosine(q, near), cosine(q, far); cn <= cf {
			t.Errorf("cos(query, near) = %.3f ≤ cos(query, far) = %.3f; want near > far", cn, cf)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		for _, text := range []string{"", "   ", "\n\t"} {
			if _, err := e.EmbedQuery(context.Background(), text); !errors.Is(err, ErrEmptyText) {
				t.Errorf("EmbedQuery(%q) error = %v; want ErrEmptyText", text, err)
			}
		}
	})

	t.Run("SymbolsOnly", func(t *testing.T) {
		a := embedQuery(t, e, "😍😍")
		b := embedQuery(t, e, "😡")
		if err := ValidateVector(a); err != nil {
			t.Errorf("ValidateVector(EmbedQuery(%q)) = %v; want nil", "😍😍", err)
		}
		if c := cosine(a, b); c > 0.5 {
			t.Errorf("cos(😍😍, 😡) = %.3f; want distinct symbols far apart (≤ 0.5)", c)
		}
	})
}

func TestHashEmbedder_EmbedDocuments(t *testing.T) {
	e := mustEmbedder(t, 0)
	ctx := context.Background()
	vs, err := e.EmbedDocuments(ctx, []string{"soft cotton", "late delivery"})
	if err != nil {
		t.Fatalf("EmbedDocuments: %v", err)
	}
	if len(vs) != 2 {
		t.Fatalf("len(EmbedDocuments) = %d; want 2", len(vs))
	}
	if q := embedQuery(t, e, "late delivery"); !slices.Equal(vs[1], q) {
		t.Errorf("EmbedDocuments[1] differs from EmbedQuery of the same text; want identical")
	}
	_, err = e.EmbedDocuments(ctx, []string{"ok text", " "})
	if !errors.Is(err, ErrEmptyText) || !strings.Contains(err.Error(), "document 1") {
		t.Errorf("EmbedDocuments with an empty second text error = %v; want ErrEmptyText naming document 1", err)
	}
}

func TestValidateVector(t *testing.T) {
	tests := []struct {
		name    string
		v       []float32
		wantErr string // "" = valid
	}{
		{"Valid", []float32{0, 0.6, -0.8}, ""},
		{"Empty", nil, "empty"},
		{"Zero", []float32{0, 0, 0}, "all 3 components are zero"},
		{"NaN", []float32{1, float32(math.NaN())}, "NaN at index 1"},
		{"Inf", []float32{float32(math.Inf(-1)), 1}, "-Inf at index 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateVector(tt.v)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateVector(%v) = %v; want nil", tt.v, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidVector) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateVector(%v) = %v; want ErrInvalidVector saying %q", tt.v, err, tt.wantErr)
			}
		})
	}
}

func TestCheckDimension(t *testing.T) {
	if err := CheckDimension(384, 384); err != nil {
		t.Errorf("CheckDimension(384, 384) = %v; want nil", err)
	}
	err := CheckDimension(384, 1536)
	if !errors.Is(err, ErrDimensionMismatch) || !strings.Contains(err.Error(), "384") || !strings.Contains(err.Error(), "1536") {
		t.Errorf("CheckDimension(384, 1536) = %v; want ErrDimensionMismatch naming 384 and 1536", err)
	}
	if err := CheckDimension(0, 0); !errors.Is(err, ErrDimensionMismatch) {
		t.Errorf("CheckDimension(0, 0) = %v; want ErrDimensionMismatch", err)
	}
}
