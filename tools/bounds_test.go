package tools

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// Every short string argument of every tool is bounded: a value longer
// than MaxShortText is an argument error naming the field, before any
// query (the schema sent to the model may omit long bounds; the compiled
// schema keeps them).
func TestCatalog_StringArgumentsBounded(t *testing.T) {
	long := strings.Repeat("x", 2001) // over every short field's bound
	checked := 0
	emb, err := knowledge.NewHashEmbedder(384)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Catalog(Config{Feedback: &fakeFeedback{}, Embedder: emb}) {
		props, _ := e.Tool.Parameters()["properties"].(map[string]any)
		for name, p := range props {
			pm, _ := p.(map[string]any)
			_, hasEnum := pm["enum"]
			_, hasFormat := pm["format"]
			if pm["type"] != "string" || longTextFields[name] || hasEnum || hasFormat {
				continue
			}
			out, err := e.Tool.Call(context.Background(), `{"`+name+`":"`+long+`"}`)
			if err != nil || !strings.Contains(out, "/"+name) {
				t.Errorf("%s with a %d-character %s = %q, %v; want an argument error naming /%s",
					e.Tool.Name(), len(long), name, out, err, name)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("checked %d string arguments; want the catalog's 20 or more", checked)
	}
}

func TestDecodeArgs_Bounds(t *testing.T) {
	sch := mustSchema("bounds_test", map[string]any{
		"type": "object",
		"properties": map[string]any{
			"country": map[string]any{"type": "string"},
			"tags":    map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
	})
	type args struct {
		Country string   `json:"country"`
		Tags    []string `json:"tags"`
	}
	if _, err := decodeArgs[args](`{"country":"Germany","tags":["a"]}`, sch); err != nil {
		t.Fatalf("decodeArgs(valid) = %v", err)
	}
	_, err := decodeArgs[args](`{"country":"Ger\u0000many"}`, sch)
	var ae *argError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "/country") || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("decodeArgs(NUL in country) = %v; want an argument error naming /country and NUL", err)
	}
	_, err = decodeArgs[args](`{"tags":["ok","x\u0000"]}`, sch)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "/tags/1") {
		t.Errorf("decodeArgs(NUL in tags[1]) = %v; want an argument error naming /tags/1", err)
	}
	long := strings.Repeat("x", MaxShortText+1)
	_, err = decodeArgs[args](`{"country":"`+long+`"}`, sch)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "/country") {
		t.Errorf("decodeArgs(%d-character country) = %v; want a schema error at /country", len(long), err)
	}
	_, err = decodeArgs[args](`{"tags":["`+long+`"]}`, sch)
	if !errors.As(err, &ae) {
		t.Errorf("decodeArgs(%d-character tag) = %v; want a schema error", len(long), err)
	}
}

// A period far outside the data (the fake data cover 2010-12-01 to
// 2011-12-09) is an argument error naming the data's range.
func TestResolvePeriod_Bounded(t *testing.T) {
	s := &fakeStore{}
	ctx := context.Background()
	for _, tc := range []struct {
		a  PeriodArgs
		ok bool
	}{
		{PeriodArgs{Period: "2011-Q4"}, true},
		{PeriodArgs{Period: "2016-11"}, true}, // within five years of the last order
		{PeriodArgs{Period: "2017"}, false},
		{PeriodArgs{From: "2011-01-01", To: "9999-12-31"}, false},
		{PeriodArgs{From: "0001-01-01", To: "2011-01-31"}, false},
		{PeriodArgs{Period: "2006"}, true},
		{PeriodArgs{Period: "2005"}, false},
	} {
		_, err := resolvePeriod(ctx, s, tc.a, nil)
		if tc.ok && err != nil {
			t.Errorf("resolvePeriod(%+v) = %v; want nil", tc.a, err)
		}
		if !tc.ok {
			var ie *analytics.InputError
			if !errors.As(err, &ie) || !errors.Is(err, analytics.ErrInvalidPeriod) || !strings.Contains(err.Error(), "2010-12-01 to 2011-12-09") {
				t.Errorf("resolvePeriod(%+v) = %v; want an invalid-period input error naming 2010-12-01 to 2011-12-09", tc.a, err)
			}
		}
	}
}
