package slackbot

import (
	"bytes"
	"errors"
	"testing"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/report"
)

func TestRenderChart_LineAndArea(t *testing.T) {
	s := []agent.ChartSeries{{Name: "baseline", X: []float64{0, 1, 2}, Y: []float64{5, 6, 7}}, {Name: "tv", X: []float64{0, 1, 2}, Y: []float64{1, 2, 1}}}
	for _, kind := range []string{"line", "area"} {
		png, err := renderChart(agent.Chart{Title: "t", Kind: kind, Series: s, Labels: []string{"2024-01-01", "2024-01-08", "2024-01-15"},
			Marks: []agent.ChartSeries{{Name: "actual", X: []float64{0, 1, 2}, Y: []float64{6, 8, 8}}}})
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("%s chart: %v", kind, err)
		}
	}
	if _, err := renderChart(agent.Chart{Title: "t", Kind: "line"}); !errors.Is(err, report.ErrBadChart) {
		t.Errorf("empty line chart: err = %v; want ErrBadChart", err)
	}
}
