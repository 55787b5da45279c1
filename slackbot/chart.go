package slackbot

import (
	"fmt"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/report"
)

// renderBarChart draws c as a PNG bar chart (report.BarChartPNG): one bar
// per label, the y axis in c.Unit.
func renderBarChart(c agent.Chart) ([]byte, error) {
	if c.Kind != "" && c.Kind != "bar" {
		return nil, fmt.Errorf("chart %q: kind %q not supported", c.Title, c.Kind)
	}
	return report.BarChartPNG(report.BarChart{Title: c.Title, Labels: c.Labels, Values: c.Values, Unit: c.Unit})
}
