package knowledge

import (
	"slices"
	"testing"
)

func TestThemes(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"RunsSmall", "This dress runs small, order a size up.", []string{ThemeSizing}},
		{"FitAndFabric", "Lovely fit but the fabric is see-through.", []string{ThemeSizing, ThemeFabric}},
		{"Quality", "The stitching came undone and it fell apart after one wash.", []string{ThemeQuality}},
		{"PriceValue", "Way too expensive for what it is, not worth the money.", []string{ThemePrice}},
		{"Delivery", "My parcel arrived late and the tracking never updated.", []string{ThemeDelivery}},
		{"ColourBritish", "The colour is much duller than pictured.", []string{ThemeColor}},
		{"Style", "Very flattering cut and a pretty print.", []string{ThemeStyle}},
		{"Comfort", "So comfy and soft, I could wear it all day.", []string{ThemeComfort}},
		{"ReturnsService", "Returned it and the refund took three weeks; customer service was rude.", []string{ThemeService}},
		{"CanonicalOrder", "Refund please: it's itchy, faded, and too tight.", []string{ThemeSizing, ThemeColor, ThemeComfort, ThemeService}},
		{"ApostropheAndCase", "It DOESN'T FIT.", []string{ThemeSizing}},
		{"NoAspect", "I love it!", nil},
		{"PhraseNeedsAllWords", "The small bag was too", nil},
		{"WholeWordsOnly", "fitness outfit", nil},
		{"Empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Themes(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Themes(%q) = %v; want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestThemeLexiconCoversAllThemes(t *testing.T) {
	if len(themeLexicon) != len(AllThemes) {
		t.Fatalf("len(themeLexicon) = %d; want %d", len(themeLexicon), len(AllThemes))
	}
	for _, th := range AllThemes {
		if len(themeLexicon[th]) == 0 {
			t.Errorf("themeLexicon[%q] is empty; want keywords", th)
		}
		if !IsTheme(th) {
			t.Errorf("IsTheme(%q) = false; want true", th)
		}
	}
	if IsTheme("vibes") {
		t.Errorf("IsTheme(%q) = true; want false", "vibes")
	}
}
