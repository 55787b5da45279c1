package slackbot

import (
	"fmt"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/report"
)

// renderChart draws c as a PNG: kind "" or "bar" as a bar chart
// (report.BarChartPNG: one bar per label, the y axis in c.Unit), "line"
// and "area" (stacked) as c.Series with report.LineChartPNG.
func renderChart(c agent.Chart) ([]byte, error) {
	switch c.Kind {
	case "", "bar":
		return report.BarChartPNG(report.BarChart{Title: c.Title, Labels: c.Labels, Values: c.Values, Unit: c.Unit, XLabel: c.XLabel, YLabel: c.YLabel})
	case "line", "area":
		lc := report.LineChart{Title: c.Title, XLabel: c.XLabel, YLabel: c.Unit, YUnit: c.Unit, Stacked: c.Kind == "area", XDates: c.Labels}
		for _, s := range c.Series {
			lc.Series = append(lc.Series, report.LineSeries{Name: s.Name, X: s.X, Y: s.Y})
		}
		for _, s := range c.Marks {
			lc.Marks = append(lc.Marks, report.LineSeries{Name: s.Name, X: s.X, Y: s.Y})
		}
		return report.LineChartPNG(lc)
	}
	return nil, fmt.Errorf("chart %q: kind %q not supported", c.Title, c.Kind)
}
