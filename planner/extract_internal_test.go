package planner

import (
	"strings"
	"testing"
	"time"
)

func TestResolvePeriod(t *testing.T) {
	dec9 := time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)
	jan15 := time.Date(2012, 1, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		text string
		asOf time.Time
		want periodArgs
	}{
		{"revenue last quarter", dec9, periodArgs{Period: "2011-Q3"}},
		{"revenue last quarter", jan15, periodArgs{Period: "2011-Q4"}},
		{"this quarter", dec9, periodArgs{Period: "2011-Q4"}},
		{"this year", dec9, periodArgs{Period: "2011"}},
		{"last year", dec9, periodArgs{Period: "2010"}},
		{"last month", dec9, periodArgs{Period: "2011-11"}},
		{"last month", jan15, periodArgs{Period: "2011-12"}},
		{"this month", dec9, periodArgs{Period: "2011-12"}},
		{"Q3 2011", dec9, periodArgs{Period: "2011-Q3"}},
		{"in Q4 2011", time.Time{}, periodArgs{Period: "2011-Q4"}},
		{"2011-Q2 results", dec9, periodArgs{Period: "2011-Q2"}},
		{"October 2011", dec9, periodArgs{Period: "2011-10"}},
		{"in Sept. 2011", dec9, periodArgs{Period: "2011-09"}},
		{"2011", dec9, periodArgs{Period: "2011"}},
		{"in 2011", dec9, periodArgs{Period: "2011"}},
		{"since June 2011", dec9, periodArgs{From: "2011-06-01"}},
		{"since Q3 2011", dec9, periodArgs{From: "2011-07-01"}},
		{"since 2011", dec9, periodArgs{From: "2011-01-01"}},
		{"last 30 days", dec9, periodArgs{From: "2011-11-10", To: "2011-12-09"}},
		{"past 2 weeks", dec9, periodArgs{From: "2011-11-26", To: "2011-12-09"}},
		{"last 3 months", dec9, periodArgs{From: "2011-09-10", To: "2011-12-09"}},
		{"year to date", dec9, periodArgs{From: "2011-01-01", To: "2011-12-09"}},
		{"from 2011-01-01 to 2011-03-31", dec9, periodArgs{From: "2011-01-01", To: "2011-03-31"}},
		{"since 2011-06-15", dec9, periodArgs{From: "2011-06-15"}},
		{"last quarter", time.Time{}, periodArgs{}},
		{"customer 12347", dec9, periodArgs{}},
		{"no period here", dec9, periodArgs{}},
	}
	for _, tt := range tests {
		if got := resolvePeriod(tt.text, tt.asOf); got != tt.want {
			t.Errorf("resolvePeriod(%q, %s) = %+v; want %+v", tt.text, tt.asOf.Format(time.DateOnly), got, tt.want)
		}
	}
}

func TestHorizonDays(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"over the next 3 months", 90},
		{"in 6 months", 180},
		{"next year", 365},
		{"next 12 months", 365},
		{"2 weeks", 14},
		{"the next 45 days", 45},
		{"next quarter", 90},
		{"no horizon", 0},
	}
	for _, tt := range tests {
		if got := horizonDays(words(tt.text)); got != tt.want {
			t.Errorf("horizonDays(%q) = %d; want %d", tt.text, got, tt.want)
		}
	}
}

func TestVocabMatch(t *testing.T) {
	countries := []string{"United Kingdom", "EIRE", "Netherlands", "Germany", "USA", "Channel Islands"}
	categories := []string{"Tops", "Dresses", "Blouses", "Intimate", "Fine gauge"}
	tests := []struct {
		text  string
		names []string
		forms bool
		want  string
	}{
		{"sales in the UK", countries, false, "United Kingdom"},
		{"sales in united kingdom", countries, false, "United Kingdom"},
		{"orders from Ireland", countries, false, "EIRE"},
		{"the Netherlands", countries, false, "Netherlands"},
		{"revenue from us", countries, false, ""},
		{"the channel islands", countries, false, "Channel Islands"},
		{"germanys", countries, false, ""},
		{"reviews of this dress", categories, true, "Dresses"},
		{"our tops", categories, true, "Tops"},
		{"a blouse", categories, true, "Blouses"},
		{"intimates", categories, true, "Intimate"},
		{"fine gauge sweaters", categories, true, "Fine gauge"},
		{"stopped", categories, true, ""},
	}
	for _, tt := range tests {
		var aliases map[string]string
		if !tt.forms {
			aliases = countryAliases
		}
		if got := vocabMatch(words(tt.text), tt.names, tt.forms, aliases); got != tt.want {
			t.Errorf("vocabMatch(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestMatchPhrases(t *testing.T) {
	tests := []struct {
		text  string
		table []phrase
		want  string
	}{
		{"paid search vs organic search", channelPhrases, "paid_search,organic_search"},
		{"SEO and paid social", channelPhrases, "organic_search,paid_social"},
		{"potential loyalists and loyal customers", segmentPhrases, "potential_loyalists,loyal"},
		{"customers we can't lose", segmentPhrases, "cant_lose_them"},
		{"U-shaped vs first-touch", attributionPhrases, "position_based,first_touch"},
	}
	for _, tt := range tests {
		if got := strings.Join(matchPhrases(words(tt.text), tt.table), ","); got != tt.want {
			t.Errorf("matchPhrases(%q) = %s; want %s", tt.text, got, tt.want)
		}
	}
}

func TestResolvePeriod_Ranges(t *testing.T) {
	dec9 := time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		text string
		asOf time.Time
		want periodArgs
		rel  string
	}{
		{"revenue in H1 2011", dec9, periodArgs{From: "2011-01-01", To: "2011-06-30"}, ""},
		{"revenue in the first half of 2011", dec9, periodArgs{From: "2011-01-01", To: "2011-06-30"}, ""},
		{"ROI for H2 2011", dec9, periodArgs{From: "2011-07-01", To: "2011-12-31"}, ""},
		{"2011 H2", time.Time{}, periodArgs{From: "2011-07-01", To: "2011-12-31"}, ""},
		{"second half of 2010", dec9, periodArgs{From: "2010-07-01", To: "2010-12-31"}, ""},
		{"between January 2011 and March 2011", dec9, periodArgs{From: "2011-01-01", To: "2011-03-31"}, ""},
		{"between January and March 2011", dec9, periodArgs{From: "2011-01-01", To: "2011-03-31"}, ""},
		{"from March to May 2011", dec9, periodArgs{From: "2011-03-01", To: "2011-05-31"}, ""},
		{"from November 2010 to February 2011", dec9, periodArgs{From: "2010-11-01", To: "2011-02-28"}, ""},
		{"Jan-Mar 2011", dec9, periodArgs{From: "2011-01-01", To: "2011-03-31"}, ""},
		{"from March to May", dec9, periodArgs{From: "2011-03-01", To: "2011-05-31"}, "march to may"},
		{"revenue in 2011-12", dec9, periodArgs{Period: "2011-12"}, ""},
		{"revenue in 12/2011", dec9, periodArgs{Period: "2011-12"}, ""},
		{"revenue in 3/2011", dec9, periodArgs{Period: "2011-03"}, ""},
		{"revenue on 2011-12-05", dec9, periodArgs{From: "2011-12-05", To: "2011-12-05"}, ""},
		{"revenue 2011-12-05", dec9, periodArgs{From: "2011-12-05", To: "2011-12-05"}, ""},
		{"from 2011-12-05", dec9, periodArgs{From: "2011-12-05"}, ""},
		{"revenue in December", dec9, periodArgs{Period: "2011-12"}, "in december"},
		{"revenue in November", dec9, periodArgs{Period: "2011-11"}, "in november"},
		{"revenue in December", time.Date(2011, 11, 30, 0, 0, 0, 0, time.UTC), periodArgs{Period: "2010-12"}, "in december"},
		{"since March", dec9, periodArgs{From: "2011-03-01"}, "since march"},
		{"December of 2010", dec9, periodArgs{Period: "2010-12"}, ""},
		{"revenue in Q4", dec9, periodArgs{Period: "2011-Q4"}, "q4"},
		{"revenue in Q4", time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC), periodArgs{Period: "2010-Q4"}, "q4"},
		{"revenue yesterday", dec9, periodArgs{From: "2011-12-08", To: "2011-12-08"}, "yesterday"},
		{"revenue last quarter", dec9, periodArgs{Period: "2011-Q3"}, "last quarter"},
		{"revenue in Q3 2011", dec9, periodArgs{Period: "2011-Q3"}, ""},
		{"what may happen in 2011", dec9, periodArgs{Period: "2011"}, ""},
	}
	for _, tt := range tests {
		got, rel := resolvePeriodRel(tt.text, tt.asOf)
		if got != tt.want || rel != tt.rel {
			t.Errorf("resolvePeriodRel(%q, %s) = %+v, %q; want %+v, %q", tt.text, tt.asOf.Format(time.DateOnly), got, rel, tt.want, tt.rel)
		}
	}
}
